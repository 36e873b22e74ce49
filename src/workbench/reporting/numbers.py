"""Numbers as a reader of the report language expects them: the one formatter of every report.

Babel (CLDR data) gives the decimal sign (``12.5`` in English, ``12,5`` in Russian) and
the plural category of a count (``1 001 респондент``, ``3 респондента``). Thousands are
grouped with a narrow no-break space (U+202F) in both languages, so that a number never
breaks across lines. A missing value (``None``, NaN, ``pd.NA``) is shown as an empty string,
never as ``None`` or ``nan``; p-values below 0.001 are shown as ``< 0.001``.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

THIN_SPACE = "\u202f"
P_FLOOR = 0.001  # p-values below this are shown as "< 0.001"


def is_missing(value: Any) -> bool:
    """``None``, NaN or ``pd.NA``."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pd.NA (NA != NA is NA, whose bool raises)
    except TypeError:
        return True


def format_number(value: Any, language: str = "en", decimals: int = 1, percent: bool = False) -> str:
    """One number as text: ``decimals`` fixed digits (0 for whole numbers), thin-space thousands,
    the language's decimal sign; ``percent`` shows a proportion (0.5) as a percentage (50.0%)."""
    if is_missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, Number):
        return str(value)
    number = float(value) * (100 if percent else 1)
    if not math.isfinite(number):
        return ""
    whole = isinstance(value, int) or getattr(value, "dtype", None) is not None and value.dtype.kind in "iu"
    digits = 0 if whole and not percent else decimals
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    text = format_decimal(round(number, digits), format=pattern, locale=language)
    text = text.replace(Locale.parse(language).number_symbols["latn"]["group"], THIN_SPACE)
    return text + ("\u00a0%" if percent and language == "ru" else "%" if percent else "")


def format_p(value: Any, language: str = "en") -> str:
    """A p-value: three decimals, or ``< 0.001`` (``< 0,001``) below that."""
    if is_missing(value):
        return ""
    if float(value) < P_FLOOR:
        return "<\u00a0" + format_number(P_FLOOR, language, decimals=3)
    return format_number(float(value), language, decimals=3)


def plural_form(count: Any, language: str = "en") -> str:
    """The CLDR plural category of ``count`` in ``language``: one, few, many or other."""
    return Locale.parse(language).plural_form(abs(count) if isinstance(count, (int, float)) else 0)
