"""Byte-identical workbooks: the same tables give the same ``.xlsx`` file on every build.

openpyxl stamps a workbook with the time it was written twice over: ``dcterms:created`` and
``dcterms:modified`` in ``docProps/core.xml``, and the date of every zip entry. The build
passes each workbook through ``normalise_xlsx``, which sets all of them to one fixed moment
(1980-01-01, the earliest date a zip entry can carry) and keeps everything else: entry
order, names and content. Why our own code: openpyxl has no switch for it, and a post-pass
also covers workbooks written by pandas or by any other writer.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_STAMP = b"1980-01-01T00:00:00Z"
_CORE = "docProps/core.xml"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(path: str | Path) -> Path:
    """Rewrite the workbook at ``path`` with fixed document and zip entry times (in place)."""
    path = Path(path)
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == _CORE:
                data = _CORE_DATES.sub(rb"\g<1>" + FIXED_STAMP + rb"\g<3>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())
    return path
