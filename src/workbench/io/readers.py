"""Readers for raw data files: CSV (strict decoding), XLSX and SPSS ``.sav``.

Each reader returns the file's cells as found (CSV cells as text, so that the data
dictionary decides the types and reports every value that does not fit) and never writes to
the file. Decoding is strict: a byte that is not valid in the declared encoding is an error
that names the file, line and byte, and a file whose bytes say another encoding than the one
declared is refused rather than turned into mojibake.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import WorkbenchError

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
    """Read a CSV file as text cells; leading lines starting with ``#`` are a preamble."""
    path = Path(path)
    text = decode_strict(_read_bytes(path), encoding, str(path))
    lines = text.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and lines[skip].lstrip().startswith("#"):
        skip += 1
    body = "".join(lines[skip:])
    if not body.strip():
        raise WorkbenchError("the file has no header row", file=str(path), expected="a header row with column names")
    try:
        data = pd.read_csv(io.StringIO(body), sep=delimiter, dtype=str, keep_default_na=False,
                           na_values=[], skipinitialspace=False)
    except pd.errors.ParserError as err:
        raise WorkbenchError(f"the file is not a well-formed CSV ({err})", file=str(path),
                             expected=f"fields separated by {delimiter!r}") from None
    _check_header(data, str(path))
    return RawTable(data)


def read_xlsx(path: str | Path, sheet: str | int = 0) -> RawTable:
    """Read one sheet of an Excel workbook; cells keep Excel's types."""
    path = Path(path)
    _read_bytes(path)
    try:
        data = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    except ValueError as err:
        raise WorkbenchError(f"cannot read sheet {sheet!r}: {err}", file=str(path)) from None
    except Exception as err:  # openpyxl raises several types for a damaged file
        raise WorkbenchError(f"not a readable .xlsx workbook ({type(err).__name__}: {err})", file=str(path)) from None
    _check_header(data, str(path))
    return RawTable(data)


def read_sav(path: str | Path) -> RawTable:
    """Read an SPSS file keeping codes, value labels and user-missing codes (pyreadstat)."""
    import pyreadstat

    path = Path(path)
    _read_bytes(path)
    try:
        data, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    except Exception as err:  # pyreadstat raises its own ReadstatError and others
        raise WorkbenchError(f"not a readable SPSS .sav file ({err})", file=str(path)) from None
    missing = {}
    for name, ranges in (meta.missing_ranges or {}).items():
        codes = [r["lo"] for r in ranges if r["lo"] == r["hi"]]
        if codes:
            missing[name] = codes
    return RawTable(data, value_labels=dict(meta.variable_value_labels or {}), user_missing=missing)


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


def _check_header(data: pd.DataFrame, file: str) -> None:
    names = [str(c) for c in data.columns]
    duplicated = sorted({n for n in names if n.rsplit(".", 1)[0] in names and n != n.rsplit(".", 1)[0]})
    blank = [i + 1 for i, n in enumerate(names) if n.startswith("Unnamed:") or not n.strip()]
    if blank:
        raise WorkbenchError(f"header cell(s) {blank} are empty", file=file, expected="a name for every column")
    if duplicated:
        raise WorkbenchError("the header repeats a column name", file=file, value=duplicated,
                             expected="unique column names")
