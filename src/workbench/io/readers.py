"""Readers for raw data files: CSV (strict decoding), XLSX and SPSS ``.sav``.

Each reader returns the file's cells as found (CSV cells as text, so that the data
dictionary decides the types and reports every value that does not fit) and never writes to
the file. Decoding is strict: a byte that is not valid in the declared encoding is an error
that names the file, line and byte, and a file whose bytes say another encoding than the one
declared is refused rather than turned into mojibake.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import PROBLEM_COLUMNS, WorkbenchError

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8-sig", "windows-1251": "cp1251",
             "cp1251": "cp1251", "utf-16": "utf-16"}
FORMATS = ("csv", "xlsx", "sav")
_BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    """What a reader found: the cells, and the file's own labels where it has them (.sav)."""

    data: pd.DataFrame
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    user_missing: dict[str, list[Any]] = field(default_factory=dict)
    #: for CSV: the line a text editor shows for each data row (preamble and header counted)
    lines: list[int] | None = None


def decode_strict(raw: bytes, encoding: str, file: str) -> str:
    """Decode ``raw`` as ``encoding`` or raise a ``WorkbenchError`` naming line and byte.

    UTF-8 accepts an optional byte-order mark. A file declared Windows-1251 that is valid
    UTF-8 with non-ASCII text is refused: decoding it as 1251 would silently give mojibake.
    """
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise WorkbenchError("unknown encoding", file=file, value=encoding, expected=", ".join(ENCODINGS))
    if codec == "utf-8" and raw.startswith(_BOM):
        codec = "utf-8-sig"
    if codec == "cp1251":
        if raw.startswith(_BOM):
            raise WorkbenchError("the file starts with a UTF-8 byte-order mark but is declared windows-1251",
                                 file=file, expected="encoding: utf-8 in study.yaml")
        if not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise WorkbenchError("the file is valid UTF-8 but is declared windows-1251; reading it as "
                                     "1251 would garble every Cyrillic letter", file=file,
                                     expected="encoding: utf-8 in study.yaml")
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        byte = raw[err.start : err.start + 1].hex()
        raise WorkbenchError(
            f"byte 0x{byte} at line {line} (byte offset {err.start}) is not valid {encoding}",
            file=file, expected="the encoding declared in study.yaml (utf-8, utf-8-sig or windows-1251)",
        ) from None


def read_csv(path: str | Path, encoding: str = "utf-8", delimiter: str = ",") -> RawTable:
    """Read a CSV file as text cells; leading lines starting with ``#`` are a preamble.

    A row with fewer or more fields than the header, a NUL byte in a cell and a broken
    quote are errors naming the line a text editor shows (preamble included) and the
    column; ``RawTable.lines`` gives that line for every data row.
    """
    path = Path(path)
    file = str(path)
    text = decode_strict(_read_bytes(path), encoding, file)
    lines = io.StringIO(text, newline="").readlines()
    skip = 0
    while skip < len(lines) and lines[skip].lstrip().startswith("#"):
        skip += 1
    if not "".join(lines[skip:]).strip():
        raise WorkbenchError("the file has no header row", file=file, expected="a header row with column names")
    reader = csv.reader(iter(lines[skip:]), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    starts: list[int] = []
    problems: list[dict[str, Any]] = []
    has_nul = "\x00" in text
    done = 0
    try:
        for record in reader:
            start, done = skip + done + 1, reader.line_num
            if not record:
                continue  # a blank line
            if has_nul:
                problems += _nul_cells(record, header, file, start)
            if header is None:
                header = record
                continue
            if len(record) != len(header):
                problems.append(_width_problem(record, header, file, start, len(records) + 1))
                continue
            records.append(record)
            starts.append(start)
    except csv.Error as err:
        raise WorkbenchError(f"the file is not a well-formed CSV ({err})", file=file,
                             line=skip + reader.line_num,
                             expected=f"fields separated by {delimiter!r}, quotes closed and doubled inside "
                                      "quoted text") from None
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more, listed below)" if len(problems) > 1 else ""
        raise WorkbenchError(first["problem"] + more, file=file, line=first["line"], column=first["column"],
                             expected=first["expected"], problems=pd.DataFrame(problems, columns=PROBLEM_COLUMNS))
    assert header is not None
    _check_header(header, file)
    data = pd.DataFrame(records, columns=header, dtype=object) if records else \
        pd.DataFrame({name: pd.Series(dtype=object) for name in header})
    return RawTable(data, lines=starts)


def _nul_cells(record: list[str], header: list[str] | None, file: str, line: int) -> list[dict[str, Any]]:
    problems = []
    for i, cell in enumerate(record):
        if "\x00" in cell:
            column = header[i] if header is not None and i < len(header) else f"field {i + 1}"
            problems.append({"file": file, "line": line, "column": column,
                             "problem": "a NUL byte (0x00) inside the value; it would cut the value short", "value": cell.replace("\x00", "\\0"),
                             "expected": "text without NUL bytes (the file may be UTF-16 or binary)"})
    return problems


def _width_problem(record: list[str], header: list[str], file: str, line: int, row: int) -> dict[str, Any]:
    if len(record) < len(header):
        missing = header[len(record)]
        problem = f"the row has {len(record)} fields but the header has {len(header)}: it ends before column {missing!r}"
        column = missing
    else:
        problem = (f"the row has {len(record)} fields but the header has {len(header)}: "
                   f"{len(record) - len(header)} value(s) beyond the last column")
        column = None
    return {"file": file, "line": line, "column": column, "problem": problem, "value": None,
            "expected": f"{len(header)} fields on every line (a value containing the delimiter must be quoted)"}


def read_xlsx(path: str | Path, sheet: str | int = 0) -> RawTable:
    """Read one sheet of an Excel workbook; cells keep Excel's types.

    The first row is the header. A formula cell is read through the value Excel cached
    when it last saved the file; a formula without a cached value (written by a program
    that does not calculate) is an error naming the sheet and the cell, never a blank.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    file = str(path)
    _read_bytes(path)
    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises several types for a damaged file
        raise WorkbenchError(f"not a readable .xlsx workbook ({type(err).__name__}: {err})", file=file) from None
    try:
        names = values_book.sheetnames
        if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
            name = names[sheet]
        elif isinstance(sheet, str) and sheet in names:
            name = sheet
        else:
            raise WorkbenchError(f"cannot read sheet {sheet!r}: no such sheet in the workbook", file=file, value=sheet,
                                 expected="one of " + ", ".join(repr(n) for n in names))
        rows = [list(r) for r in values_book[name].iter_rows(values_only=True)]
        problems = []
        for r, row in enumerate(formula_book[name].iter_rows(values_only=True)):
            for c, cell in enumerate(row):
                if isinstance(cell, str) and cell.startswith("=") and (
                        r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None):
                    where = f"{get_column_letter(c + 1)}{r + 1}"
                    problems.append({"file": file, "row": r, "column": None,
                                     "problem": f"sheet {name!r}, cell {where}: a formula without a cached value "
                                                "(it would be read as blank)", "value": cell,
                                     "expected": "the value: open and save the file in Excel or LibreOffice, "
                                                 "or paste values"})
    finally:
        values_book.close()
        formula_book.close()
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more, listed below)" if len(problems) > 1 else ""
        raise WorkbenchError(first["problem"] + more, file=file, value=first["value"],
                             expected=first["expected"], problems=pd.DataFrame(problems, columns=PROBLEM_COLUMNS))
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise WorkbenchError("the sheet is empty", file=file, value=name, expected="a header row with column names")
    width = max(len(r) for r in rows)
    rows = [[_excel_value(v) for v in r] + [None] * (width - len(r)) for r in rows]
    keep = [c for c in range(width) if rows[0][c] is not None or any(r[c] is not None for r in rows[1:])]
    header = ["" if rows[0][c] is None else str(rows[0][c]) for c in keep]
    _check_header(header, file)
    data = pd.DataFrame([[r[c] for c in keep] for r in rows[1:]], columns=header, dtype=object)
    return RawTable(data)


def _excel_value(value: Any) -> Any:
    """Whole-number floats as integers (Excel stores every number as a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_sav(path: str | Path) -> RawTable:
    """Read an SPSS file keeping codes, value labels and user-missing codes (pyreadstat)."""
    data, meta = _read_sav(Path(path), apply_value_formats=False)
    return RawTable(data, value_labels=dict(meta.variable_value_labels or {}), user_missing=_user_missing(meta))


def read_sav_declarations(path: str | Path) -> tuple[dict[str, dict[Any, str]], dict[str, list[Any]]]:
    """The value labels and user-missing codes an SPSS file declares (metadata only, no data)."""
    _, meta = _read_sav(Path(path), metadataonly=True)
    return dict(meta.variable_value_labels or {}), _user_missing(meta)


def _read_sav(path: Path, **options: Any) -> tuple[pd.DataFrame, Any]:
    import pyreadstat

    _read_bytes(path)
    try:
        return pyreadstat.read_sav(str(path), user_missing=True, **options)
    except Exception as err:  # pyreadstat raises its own ReadstatError and others
        raise WorkbenchError(f"not a readable SPSS .sav file ({err})", file=str(path)) from None


def _user_missing(meta: Any) -> dict[str, list[Any]]:
    missing = {}
    for name, ranges in (meta.missing_ranges or {}).items():
        codes = [r["lo"] for r in ranges if r["lo"] == r["hi"]]
        if codes:
            missing[name] = codes
    return missing


def read_table(path: str | Path, format: str | None = None, **options: Any) -> RawTable:
    """Read a data file by format (``csv``, ``xlsx``, ``sav``; default from the extension)."""
    path = Path(path)
    kind = (format or path.suffix.lstrip(".")).lower()
    if kind == "csv":
        return read_csv(path, encoding=options.get("encoding", "utf-8"), delimiter=options.get("delimiter", ","))
    if kind == "xlsx":
        return read_xlsx(path, sheet=options.get("sheet", 0))
    if kind == "sav":
        return read_sav(path)
    raise WorkbenchError("unknown data format", file=str(path), value=kind, expected=", ".join(FORMATS))


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise WorkbenchError("file not found", file=str(path))
    return path.read_bytes()


def _check_header(names: list[str], file: str) -> None:
    duplicated = sorted({n for n in names if names.count(n) > 1})
    blank = [i + 1 for i, n in enumerate(names) if not n.strip()]
    if blank:
        raise WorkbenchError(f"header cell(s) {blank} are empty", file=file, expected="a name for every column")
    if duplicated:
        raise WorkbenchError("the header repeats a column name", file=file, value=duplicated,
                             expected="unique column names")
