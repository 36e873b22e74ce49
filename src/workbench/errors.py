"""The one error type for every reading, validation and input problem.

A ``WorkbenchError`` carries where the problem is (file, row, record id, column), the
offending value and what was expected, so that the command line can print a clear message
and exit non-zero without a traceback. Validation that finds several problems at once
attaches them all as a tidy ``problems`` DataFrame.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

PROBLEM_COLUMNS = ["file", "line", "row", "record_id", "column", "problem", "value", "expected"]
#: rows of one repeated problem named in a grouped table before "..."
FIRST_ROWS_SHOWN = 5
#: exit status of the command line: the input is wrong (the user fixes it) / a run failed
EXIT_INVALID, EXIT_FAILED = 2, 1


class WorkbenchError(Exception):
    """A problem with the user's input, reported in terms of their files and variables.

    ``row`` is the 1-based data row in the file as a person sees it in a spreadsheet
    (header excluded); ``line`` is the line a text editor shows (preamble and header
    included); ``problems`` (optional) lists several problems, one per row, with
    the columns in ``PROBLEM_COLUMNS``. ``exit_code`` is the command line's exit status for
    it: ``EXIT_INVALID`` for bad input; a subclass for a failed run sets ``EXIT_FAILED``.
    """

    exit_code: int = EXIT_INVALID

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        row: int | None = None,
        record_id: Any = None,
        column: str | None = None,
        value: Any = None,
        expected: str | None = None,
        problems: pd.DataFrame | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.row = row
        self.record_id = record_id
        self.column = column
        self.value = value
        self.expected = expected
        self.problems = problems
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.record_id is not None:
            where.append(f"record {self.record_id}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.value is not None:
            shown = one_line(self.value) if isinstance(self.value, str) else self.value
            text += f" (found {shown!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return one_line(text)


def one_line(text: Any) -> str:
    """``text`` on one line: line breaks inside a message become " / " (never a literal ``\\n``)."""
    return " / ".join(part.strip() for part in str(text).splitlines() if part.strip()) if text is not None else ""


def group_problems(problems: pd.DataFrame, first: int = FIRST_ROWS_SHOWN) -> pd.DataFrame:
    """One line per distinct problem: ``count`` and the first rows (and lines) where it occurs.

    Problems are the same when file, column, problem, value, expected and severity agree; a
    wrong code repeated on 687 rows becomes one line ``count 687, rows 3, 8, 11, 20, 31, ...``.
    The order is that of each problem's first occurrence.
    """
    if problems.empty:
        return problems.assign(count=pd.Series(dtype="int64"))
    keys = [c for c in ("severity", "file", "column", "problem", "value", "expected") if c in problems.columns]
    key_frame = problems[keys].astype(object).where(problems[keys].notna(), None).astype(str)
    ids = pd.factorize(pd.MultiIndex.from_frame(key_frame))[0]

    def listed(values: pd.Series) -> str | None:
        shown = [str(int(v)) if pd.api.types.is_number(v) and float(v).is_integer() else str(v)
                 for v in values.dropna()]
        if not shown:
            return None
        return ", ".join(shown[:first]) + (", ..." if len(shown) > first else "")

    rows = []
    for _, part in problems.groupby(ids, sort=True):
        row = part.iloc[0].to_dict()
        row["count"] = len(part)
        if len(part) > 1:
            for column in ("line", "row", "record_id"):
                if column in part.columns:
                    row[column] = listed(part[column])
        rows.append(row)
    return pd.DataFrame(rows, columns=[*problems.columns, "count"])
