"""The one error type for every reading, validation and input problem.

A ``WorkbenchError`` carries where the problem is (file, row, record id, column), the
offending value and what was expected, so that the command line can print a clear message
and exit non-zero without a traceback. Validation that finds several problems at once
attaches them all as a tidy ``problems`` DataFrame.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

PROBLEM_COLUMNS = ["file", "row", "record_id", "column", "problem", "value", "expected"]


class WorkbenchError(Exception):
    """A problem with the user's input, reported in terms of their files and variables.

    ``row`` is the 1-based data row in the file as a person sees it in a spreadsheet
    (header excluded); ``problems`` (optional) lists several problems, one per row, with
    the columns in ``PROBLEM_COLUMNS``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        record_id: Any = None,
        column: str | None = None,
        value: Any = None,
        expected: str | None = None,
        problems: pd.DataFrame | None = None,
    ) -> None:
        self.message = message
        self.file = file
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
            text += f" (found {self.value!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text
