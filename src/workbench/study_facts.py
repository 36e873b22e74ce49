"""Facts that more than one report shows, each computed in one place from the study's data.

A figure that two reports print must come from one function here, so the reports cannot
disagree (issue 14.2); reports call these functions and never retype or recount. Regions are
keyed by their English display label (``region``, one spelling, see ``workbench.regions``),
so tables from datasets that code regions differently (``1`` in one, ``Batken`` in another)
join and compare.

Probation caseload (client table ``probation_clients``, one row per client):

- ``data_cutoff(study)``: the day the client data ends (latest end of follow-up).
- ``clients_in_followup(study, on=None, ve_only=False)``: clients in follow-up on a day
  (intake on or before it, follow-up ending on or after it; default the cut-off), by region.
- ``ve_clients_on_probation(study, on=None)``: the same, violent-extremist clients only (the
  caseload the electronic-monitoring model of 05 starts from; its eligible clients are
  the medium- and high-risk part of it).

Register (``ve_register``, one row per person and case):

- ``ve_register_serving_probation(study, year)``: people serving a probation sentence for
  violent-extremist or terrorism offences on 31 December of ``year`` (07's facts and
  figures). A different fact from the caseload above: a national register at year end, not
  the clients of the caseload data.

Staff and offices:

- ``officers_trained(study)``: probation officers trained by the programme (role ``officer``
  in ``training_participants``), by region: 88 in the demo. Not the service's staff.
- ``probation_staff(study)``: officer posts in every probation office (``offices``:
  ``n_officers``), by region: the service's staff.
- ``probation_offices(study)``: every probation office (``offices``), by region.
- ``offices_with_clients(study)``: offices that appear in the client data
  (``probation_offices``), by region: the offices the caseload reports (03, 04) cover.

Survey and qualitative strand:

- ``respondents_by_region(study)``: survey respondents (all rows, unweighted) by region.
- ``region_name(region, language, regions)``: one display name per region and language
  (``regions``: the study's, ``regions.study_regions``).
- ``stratum_names(study, dataset, regions, language)``: the rows of ``respondents_by_region``
  by their display names in the report language (a non-Kyrgyz stratum by its dictionary label).
- ``code_name(codes, code_id, language)``: a code's display name in the report language.
- ``participants_mentioning(corpus, ...)``: participants (cases) with at least one accepted
  segment of the primary coder coded with each code, overall or by a case attribute.
- ``quote_attribution(cases, disclosure, ...)``: the group (and sex) a quote of each case may
  be attributed to, with its label, by the one ``Disclosure.attribution`` rule.

How a report shows a fact (checked by tests/reports/test_shared_facts.py on the built reports):
call the function, and pass the figure under the function's name, either as a sentence value
(``Text("key", {"officers_trained": n})``, recorded as column ``officers_trained``) for the
national figure, or as a ``Table`` named after the function (or with a column of that name)
whose rows are the regions (or codes) by their display names. The test then finds every shown
figure of each fact in ``<report>.figures.json`` and compares it with the function's value.

Why our own code: these are definitions of this study's facts; the counting itself is pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.columns import require_columns
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.programme.facts import PROBATION, register_events
from workbench.qualitative.analysis import code_frequencies
from workbench.qualitative.presentation import primary_coder
from workbench.regions import Region, region_name as _one_name, study_regions

if TYPE_CHECKING:
    from workbench.qualitative.corpus import Corpus
    from workbench.study import Study


def _require_dataset(study: "Study", name: str, what: str) -> pd.DataFrame:
    if name not in study.datasets:
        raise WorkbenchError(f"the study has no dataset {name!r} ({what})", file=str(study.root / "study.yaml"),
                             expected=f"a dataset {name!r} in study.yaml")
    return study.read(name)


def _region_count(study: "Study", dataset: str, codes: pd.Series, name: str, *, column: str = "region",
                  weights: pd.Series | None = None) -> pd.DataFrame:
    """Tidy ``region, <name>``: rows (or the sum of ``weights``) per region, regions as English
    display labels (one spelling) in the dictionary's order, every declared region listed."""
    labels, known = study.dictionary(dataset).value_labels(column, "en"), study_regions(study)
    regions = codes.map(lambda code: _display(labels.get(code, code), known))
    values = weights if weights is not None else pd.Series(1, index=codes.index)
    sums = values.groupby(regions.to_numpy()).sum()
    order = list(dict.fromkeys([_display(label, known) for label in labels.values()] + sorted(sums.index, key=str)))
    sums = sums.reindex(order, fill_value=0)
    return pd.DataFrame({"region": pd.Series(order, dtype=object), name: sums.to_numpy().astype(int)})


def _display(label: Any, regions: Sequence[Region]) -> Any:
    """A spelling of one of the study's ``regions`` becomes its name; others stay as given."""
    return label if pd.isna(label) else _one_name(label, regions)


# ---- probation caseload ----------------------------------------------------------------------------

def data_cutoff(study: "Study", *, dataset: str = "probation_clients", end_col: str = "followup_end") -> pd.Timestamp:
    """The day the client data ends: the latest end of follow-up (04 and 05 count their caseload on it)."""
    clients = _require_dataset(study, dataset, "probation clients")
    require_columns(clients, [end_col], what="the client table", file=dataset)
    return pd.Timestamp(pd.to_datetime(clients[end_col]).max())


def clients_in_followup(study: "Study", on: Any = None, *, ve_only: bool = False,
                        dataset: str = "probation_clients", start_col: str = "followup_start",
                        end_col: str = "followup_end", ve_col: str = "ve_client") -> pd.DataFrame:
    """Probation clients in follow-up on ``on`` (default ``data_cutoff``): intake on or before the
    day and follow-up ending on or after it. Columns ``region`` (display label), ``clients``."""
    clients = _require_dataset(study, dataset, "probation clients")
    require_columns(clients, [start_col, end_col, "region", *([ve_col] if ve_only else [])],
                    what="the client table", file=dataset)
    day = pd.Timestamp(on) if on is not None else data_cutoff(study, dataset=dataset, end_col=end_col)
    start, end = pd.to_datetime(clients[start_col]), pd.to_datetime(clients[end_col])
    active = clients[(start <= day) & (end.isna() | (end >= day))]
    if ve_only:
        active = active[pd.to_numeric(active[ve_col], errors="coerce") == 1]
    return _region_count(study, dataset, active["region"], "clients")


def ve_clients_on_probation(study: "Study", on: Any = None, **columns: str) -> pd.DataFrame:
    """Violent-extremist probation clients in follow-up on ``on`` (default the data cut-off), by
    region: ``region``, ``clients``. See ``clients_in_followup``."""
    return clients_in_followup(study, on, ve_only=True, **columns)


def ve_register_serving_probation(study: "Study", year: int, *, dataset: str = "ve_register") -> pd.DataFrame:
    """People serving a probation sentence for violent-extremist or terrorism offences on
    31 December of ``year`` (register), by region: ``region``, ``people``."""
    register = _require_dataset(study, dataset, "register of violent-extremism cases")
    events = register_events(register, [int(year)])
    serving = events[(events["measure"] == "serving") & (events["setting"] == PROBATION)]
    serving = serving.drop_duplicates("person_id")
    return _region_count(study, dataset, serving["region"], "people")


# ---- staff and offices -----------------------------------------------------------------------------

def officers_trained(study: "Study", *, dataset: str = "training_participants", role: str = "officer") -> pd.DataFrame:
    """Probation officers trained by the programme, by region: ``region``, ``officers``
    (people with ``role`` in the training participants; not the service's staff)."""
    people = _require_dataset(study, dataset, "training participants")
    require_columns(people, ["participant_id", "role", "region"], what="the participants table", file=dataset)
    trained = people[people["role"] == role].drop_duplicates("participant_id")
    return _region_count(study, dataset, trained["region"], "officers")


def probation_staff(study: "Study", *, dataset: str = "offices", officers_col: str = "n_officers") -> pd.DataFrame:
    """Officer posts in every probation office, by region: ``region``, ``officers`` (the staff a
    workload is spread over)."""
    offices = _require_dataset(study, dataset, "probation offices")
    require_columns(offices, ["office_id", "region", officers_col], what="the offices table", file=dataset)
    offices = offices.drop_duplicates("office_id")
    return _region_count(study, dataset, offices["region"], "officers",
                         weights=pd.to_numeric(offices[officers_col]))


def probation_offices(study: "Study", *, dataset: str = "offices") -> pd.DataFrame:
    """Every probation office of the service, by region: ``region``, ``offices``."""
    offices = _require_dataset(study, dataset, "probation offices")
    require_columns(offices, ["office_id", "region"], what="the offices table", file=dataset)
    offices = offices.drop_duplicates("office_id")
    return _region_count(study, dataset, offices["region"], "offices")


def offices_with_clients(study: "Study", *, dataset: str = "probation_offices") -> pd.DataFrame:
    """Offices that appear in the client data (the caseload reports' offices), by region:
    ``region``, ``offices``."""
    return probation_offices(study, dataset=dataset)


# ---- survey and qualitative strand ------------------------------------------------------------------

def respondents_by_region(study: "Study", *, dataset: str = "survey", role: str = "stratum") -> pd.DataFrame:
    """Survey respondents (every row, unweighted) by region: ``region``, ``respondents``. The
    region variable is the dictionary's first variable with ``role``."""
    survey = _require_dataset(study, dataset, "survey")
    dictionary = study.dictionary(dataset)
    names = dictionary.by_role(role)
    if not names:
        raise WorkbenchError(f"the dictionary {dictionary.name} has no variable with role {role!r}",
                             file=dictionary.source, expected=f"role: {role} on the region variable")
    return _region_count(study, dataset, survey[names[0]], "respondents", column=names[0])


def stratum_names(study: "Study", dataset: str, regions: Any, language: str = "en", *,
                  role: str = "stratum") -> list[str]:
    """``regions`` (the English display labels of a ``respondents_by_region`` table) as the
    report shows them in ``language``: a region of the study by ``region_name``, any other stratum
    (a school type) by its dictionary label in ``language``."""
    dictionary = study.dictionary(dataset)
    column = dictionary.by_role(role)[0]
    english, local = dictionary.value_labels(column, "en"), dictionary.value_labels(column, language)
    known = study_regions(study)
    names = {region_name(label, regions=known): local.get(code, label) for code, label in english.items()}
    shown = [region_name(r, language, known) for r in regions]
    return [s if s != str(r) else str(names.get(r, r)) for r, s in zip(regions, shown)]


def region_name(region: Any, language: str = "en", regions: Sequence[Region] = ()) -> str:
    """One display name of a region per language: a spelling of one of ``regions`` (the
    study's, ``regions.study_regions``) becomes its name (English) or its Russian name; any
    other name is returned as is."""
    english = _display(region, regions)
    if language == "ru":
        return next((r.ru for r in regions if r.name == english and r.ru), str(english))
    return str(english)


def code_name(codes: pd.DataFrame, code_id: Any, language: str = "en") -> str:
    """A code's display name: ``name`` (English) or ``name_ru`` (Russian, English when blank)."""
    require_columns(codes, ["code_id", "name"], what="the codebook")
    row = codes[codes["code_id"] == code_id]
    if row.empty:
        raise WorkbenchError("unknown code", column="code_id", value=code_id,
                             expected="a code_id of the codebook")
    if language == "ru" and "name_ru" in codes.columns and pd.notna(row["name_ru"].iloc[0]) \
            and str(row["name_ru"].iloc[0]).strip():
        return str(row["name_ru"].iloc[0])
    return str(row["name"].iloc[0])


def participants_mentioning(corpus: "Corpus", *, by: str | None = None, coder: Any = None,
                            rollup_depth: int | None = None) -> pd.DataFrame:
    """Participants (cases) with at least one accepted segment of ``coder`` (default the primary
    coder, who coded the most transcripts) coded with each code: ``[by], code_id, participants,
    participants_in_group``. Every code x group is listed, zeros included."""
    segments = corpus.segments
    if "coder" in segments.columns and len(segments):
        chosen = coder if coder is not None else primary_coder(segments)
        segments = segments[segments["coder"] == chosen]
    table = code_frequencies(segments, corpus.documents, corpus.cases, corpus.turns, corpus.codes,
                             by=by, rollup_depth=rollup_depth)
    keys = [by] if by else []
    return (table[[*keys, "code_id", "n_cases", "cases_in_group"]]
            .rename(columns={"n_cases": "participants", "cases_in_group": "participants_in_group"})
            .reset_index(drop=True))


def quote_attribution(cases: pd.DataFrame, disclosure: Disclosure, *, group: str, sex: str | None = None,
                      case_id: str = "case_id", labels: dict[Any, str] | None = None,
                      sex_labels: dict[Any, str] | None = None) -> pd.DataFrame:
    """What a quote of each case may say about its speaker, by the one rule of
    ``Disclosure.attribution`` on ``cases`` (the edition's participants): ``case_id``, ``group``,
    ``sex`` (NA where not shown) and ``attribution`` (the label text, "group, sex" where both are
    shown; NA where nothing is)."""
    shown = disclosure.attribution(cases, group=group, sex=sex, case_id=case_id).reset_index()
    shown = shown.rename(columns={shown.columns[0]: "case_id"})
    labels, sex_labels = labels or {}, sex_labels or {}
    group_text = shown["group"].map(lambda g: labels.get(g, g) if pd.notna(g) else pd.NA)
    if sex is not None:
        sex_text = shown["sex"].map(lambda s: sex_labels.get(s, s) if pd.notna(s) else pd.NA)
        both = group_text.notna() & sex_text.notna()
        group_text = group_text.astype(object).where(~both, group_text.astype(str) + ", " + sex_text.astype(str))
    else:
        shown["sex"] = pd.NA
    shown["attribution"] = group_text
    return shown[["case_id", "group", "sex", "attribution"]]
