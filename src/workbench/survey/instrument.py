"""The questionnaire as its data dictionary declares it: batteries, single questions, roles, codes.

A report on an attitude survey must run unchanged on another questionnaire that comes with its
own dictionary, so nothing here names a variable: batteries are found by their ``kind`` and
``group`` tags, single questions by the role ``question``, design variables by their roles
(``weight``, ``stratum``, ``cluster``, ``fpc``; every one but ``weight`` optional; breakdowns
``stratum``, ``sex``, ``age_group`` (or ``age``), ``urban_rural``, ``contact`` and any number of
``breakdown``), and "don't know"/refused by the declared missing codes. Answers may be coded as
numbers or text: ``answer_scores`` turns them into scores (numbers by value, text by the order
the dictionary declares), so order, direction and the upper half of a scale come from the
dictionary. Why our own code: this is bookkeeping on our dictionary format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.errors import WorkbenchError
from workbench.schemas import DataDictionary


#: roles used as breakdowns of the headline indicators, in report order
BREAKDOWN_ROLES = ("stratum", "sex", "age_group", "urban_rural", "contact", "breakdown")


#: roles used as predictors of the attitude indices (the stratum only in national editions)
PREDICTOR_ROLES = ("sex", "age_group", "urban_rural", "contact", "breakdown", "stratum")


#: age bands (years, inclusive) used when the dictionary has an ``age`` but no ``age_group``
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((18, 29), (30, 44), (45, 59), (60, None))


DERIVED_AGE_GROUP = "age_group__derived"


ATTITUDE, SOCIAL_DISTANCE = "attitude", "social_distance"


#: role of a single categorical question; role of any further breakdown variable
QUESTION, BREAKDOWN = "question", "breakdown"


@dataclass(frozen=True)
class Battery:
    """A battery of items with its tags, item order, reversed items and scale range (codes)."""

    name: str
    kind: str | None
    group: str | None
    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    scale_min: float
    scale_max: float


def role_variable(dictionary: DataDictionary, role: str) -> str | None:
    """The first variable with ``role`` (dictionary order), or None when none has it."""
    names = dictionary.by_role(role)
    return names[0] if names else None


def answer_scores(dictionary: DataDictionary, item: str) -> dict[Any, float]:
    """Score of each substantive answer code of an item (declared missing codes excluded).

    Numeric codes score their own value (their order is the numeric order); text codes
    (``"No"``, ``"Yes"``; ``"disagree"`` ... ``"agree"``) score their position 1, 2, ... in the
    order the dictionary declares them, so text- and number-coded questionnaires are read alike.
    """
    var = dictionary.variables[item]
    codes = [c for c in var.values if c not in var.missing_codes]
    if codes and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in codes):
        return {c: float(c) for c in sorted(codes)}
    return {c: float(k) for k, c in enumerate(codes, start=1)}


def item_codes(dictionary: DataDictionary, item: str) -> list[float]:
    """Scores of an item's substantive answers (see ``answer_scores``), ascending."""
    codes = sorted(answer_scores(dictionary, item).values())
    if len(codes) < 2:
        raise WorkbenchError("item has fewer than two answer codes", file=dictionary.source,
                             column=item, expected="values: {code: label} with at least two answers "
                                                   "(numbers, or text in the order low to high)")
    return codes


def positive_codes(dictionary: DataDictionary, item: str) -> list[float]:
    """Codes in the upper half of the item's scale (strictly above its midpoint)."""
    codes = item_codes(dictionary, item)
    middle = (codes[0] + codes[-1]) / 2
    return [c for c in codes if c > middle]


def batteries(dictionary: DataDictionary, kind: str | None = None,
              group: str | None = None) -> list[Battery]:
    """Batteries with the given ``kind``/``group`` tags (None = any), in dictionary order."""
    found = []
    for name, spec in dictionary.batteries.items():
        spec = spec or {}
        if kind is not None and spec.get("kind") != kind:
            continue
        if group is not None and spec.get("group") != group:
            continue
        items = dictionary.battery_items(name)
        if not items:
            continue
        ranges = [item_codes(dictionary, item) for item in items]
        found.append(Battery(
            name=name, kind=spec.get("kind"), group=spec.get("group"), items=tuple(items),
            reversed_items=tuple(i for i in items if dictionary.variables[i].reversed),
            scale_min=min(r[0] for r in ranges), scale_max=max(r[-1] for r in ranges)))
    return found


def breakdowns(dictionary: DataDictionary, roles: Sequence[str] = BREAKDOWN_ROLES) -> list[tuple[str, str]]:
    """``(role, variable)`` of each breakdown the dictionary has; an ``age`` without an
    ``age_group`` gives the derived age-group column (added by ``analysis_frame``)."""
    found = []
    for role in roles:
        if role == BREAKDOWN:  # any number of further breakdowns
            found.extend((role, name) for name in dictionary.by_role(role))
            continue
        name = role_variable(dictionary, role)
        if name is None and role == "age_group" and role_variable(dictionary, "age") is not None:
            name = DERIVED_AGE_GROUP
        if name is not None:
            found.append((role, name))
    return found


def questions(dictionary: DataDictionary) -> list[str]:
    """Single categorical questions (role ``question``), in dictionary order."""
    return [name for name in dictionary.by_role(QUESTION) if len(answer_scores(dictionary, name)) >= 2]
