"""One check that a table has the columns a function needs, raising ``WorkbenchError``.

Every module that takes a DataFrame and column names checks them the same way, so a user
reads the same message everywhere: which table, which columns are missing, which it has.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from workbench.errors import WorkbenchError


def require_columns(frame: pd.DataFrame, columns: Iterable[object], *, what: str = "the table",
                    file: str | None = None) -> None:
    """Raise ``WorkbenchError`` naming every column of ``columns`` that ``frame`` lacks.

    ``what`` names the table in the message ("the segments table", "the first rater's
    table"); ``file`` is the file it came from, when there is one. Order and duplicates of
    ``columns`` do not matter; ``None`` entries (an optional column not asked for) are skipped.
    """
    wanted = list(dict.fromkeys(c for c in columns if c is not None))
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise WorkbenchError(f"{what} lacks {'a column' if len(missing) == 1 else 'columns'}",
                             file=file, column=", ".join(map(str, missing)),
                             expected=f"columns {', '.join(map(str, wanted))}; it has "
                                      f"{', '.join(map(str, frame.columns)) or 'none'}")
