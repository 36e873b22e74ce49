"""Report 02, interviews and focus groups: which barriers to reintegration informants raise,
in which groups, how themes go together, what stakeholders matter, what people said, and how
far the coding and the number of interviews can be trusted.

``material(study, ...)`` reads the corpus of the edition once (a region's transcripts, the
coding of the primary coder); ``sections(material, ...)`` returns the report's sections:
key findings, barriers, themes together, framework matrix, stakeholders, quotes, then the
methods (the material, intercoder reliability, saturation). The analyses are
``workbench.qualitative``; small-cell decisions and quote attribution are the report's
``Disclosure``; the reliability threshold is ``agreement.RELIABLE_ALPHA`` (shared with 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import overview, regions, study_facts
from workbench import qualitative as qa
from workbench.agreement import RELIABLE_ALPHA
from workbench.disclosure import Disclosure
from workbench.qualitative import presentation as qp
from workbench.qualitative.corpus import Corpus
from workbench.qualitative.saturation import code_sets_by_document
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.reports import quotes as quoting
from workbench.reports import interviews_charts as ic
from workbench.reports.sections import Finding, Section, Table, Text
from workbench.study import Study

REPORT = "02_interviews_and_focus_groups"
#: the analysis choices of the report, each a parameter of the notebook
DEFAULTS: dict[str, Any] = {
    "barrier_theme": "BAR",  # code id of the heading whose sub-codes are the barriers
    "group_attributes": ("respondent_group", "sex"),  # case attributes of the barrier breakdown
    "documents_code": "BAR_DOCS",  # the identity-documents barrier (a fact shared with report 10)
    "saturation_doc_type": "KII",  # transcripts used for saturation, in interview order
    "saturation_base_size": 4,  # Guest, Namey & Chen (2020): interviews in the base
    "saturation_run_length": 2,  # interviews per run
    "saturation_threshold": 0.05,  # new information, proportion of the base's codes
    "reliability_unit": "turn",  # comparison unit of intercoder reliability
    "n_boot": 1000,  # bootstrap resamples of alpha's interval
    "seed": 20261122,  # seed of the bootstrap
    "strongest_pairs": 10,  # code pairs in the co-occurrence table
    "min_shared_turns": ic.MIN_SHARED_TURNS,  # code pairs sharing fewer turns are not drawn in the network
    "framework_cases": 5,  # participants in the framework excerpt
    "main_barriers": 5,  # barriers with quotes
    "quotes_per_barrier": 2,  # quotes per barrier
    "top_leaders": 5,  # most central stakeholders flagged as potential leaders
    "national_region": "national",  # region code of national stakeholders
}
_INTERVIEWERS = ("interviewer", "moderator")  # their questions are never coded


@dataclass
class Material:
    """The corpus of one edition: ``corpus_all`` (every transcript), ``corpus`` (the region's),
    ``coded`` (the primary coder's segments of ``corpus``), code display names, the barriers."""

    study: Study
    corpus_all: Corpus
    corpus: Corpus
    coded: pd.DataFrame
    coder: Any
    code_names: dict[Any, str]
    barriers: list[Any]
    region: Any
    region_label: str | None
    language: str


def code_names(codes: pd.DataFrame, language: str) -> dict[Any, str]:
    """Display name of each code in the report language (``study_facts.code_name``, as in report 10)."""
    return {code: study_facts.code_name(codes, code, language) for code in codes["code_id"]}


def material(study: Study, region: Any = None, language: str = "en", coder: Any = None,
             barrier_theme: str = DEFAULTS["barrier_theme"]) -> Material:
    """Read the corpus once: the region's transcripts, the coding the findings rest on
    (``coder``, default the coder of most transcripts), the barrier codes. ``region`` is a
    code or label of any dataset (``regions.study_region``: the survey's number works too)."""
    region = regions.study_region(study, region)
    corpus_all = load_study_corpus(study)
    dictionary = study.dictionary("qual_documents")
    documents = overview.filter_region(study.read("qual_documents"), dictionary, region)
    corpus = qp.subset_corpus(corpus_all, documents["doc_id"])
    coder = coder if coder is not None else qp.primary_coder(corpus_all.segments)
    region_label = None
    if region is not None:
        name, codes = regions.dictionary_region_codes(dictionary, region)
        region_label = study_facts.region_name(codes[0] if codes else region, language, regions.study_regions(study))
    return Material(study, corpus_all, corpus, corpus.segments[corpus.segments["coder"] == coder], coder,
                    code_names(corpus_all.codes, language), qp.descendant_codes(corpus_all.codes, barrier_theme),
                    region, region_label, language)


def title() -> Text:
    return Text("ql_title")


def intro() -> Text:
    return Text("ql_intro")


def barrier_counts(m: Material) -> pd.DataFrame:
    """Participants raising each barrier, most raised first: code_id, barrier, participants,
    total (participants of the edition), share."""
    overall = study_facts.participants_mentioning(m.corpus, coder=m.coder)  # the count report 10 shows too
    overall = overall[overall["code_id"].isin(m.barriers)].sort_values("participants", ascending=False, kind="stable")
    return pd.DataFrame({"code_id": overall["code_id"].to_numpy(),
                         "barrier": [m.code_names[x] for x in overall["code_id"]],
                         "participants": overall["participants"].astype(int).to_numpy(),
                         "total": overall["participants_in_group"].astype(int).to_numpy(),
                         "share": (overall["participants"] / overall["participants_in_group"]).to_numpy()})


def barriers_by_group(m: Material, attributes: tuple[str, ...]) -> pd.DataFrame:
    """Long table: breakdown (label), category (label), category_code, barrier, raised (participants
    raising it), participants (in the category: the base), share."""
    c = m.corpus
    dictionary = m.study.dictionary("qual_cases")
    long = qp.cases_by_group(m.coded, c.documents, c.cases, list(attributes), m.barriers, turns=c.turns, codes=c.codes)
    order = {a: list(dictionary.value_labels(a, m.language)) for a in attributes}
    long["_a"] = [list(attributes).index(a) for a in long["attribute"]]
    long["_l"] = [order[a].index(v) if v in order[a] else len(order[a]) for a, v in zip(long["attribute"], long["category"])]
    long["_c"] = [m.barriers.index(x) for x in long["code_id"]]
    long = long.sort_values(["_a", "_l", "_c"], kind="stable")
    return pd.DataFrame({
        "attribute": long["attribute"].to_numpy(),
        "breakdown": [dictionary.label(a, m.language) for a in long["attribute"]],
        "category": [dictionary.value_labels(a, m.language).get(v, v) for a, v in zip(long["attribute"], long["category"])],
        "category_code": long["category"].to_numpy(),
        "code_id": long["code_id"].to_numpy(),
        "barrier": [m.code_names[x] for x in long["code_id"]],
        "raised": long["n_cases"].astype(int).to_numpy(),
        "participants": long["cases_in_category"].astype(int).to_numpy(),
        "share": long["share"].to_numpy()})


def shown_groups(long: pd.DataFrame, overall: pd.DataFrame, disclosure: Disclosure) -> tuple[pd.DataFrame, list[str]]:
    """What the breakdown of ``barriers_by_group`` may show without giving a small group away.

    The groups of a breakdown split the participants, so the count of all participants and
    each barrier's overall count (``overall``: code_id, participants) are totals of the group
    rows. A group (row) of fewer than ``min_cell`` participants is hidden (primary); where a
    breakdown then has exactly one hidden group, its base would be the total minus the shown
    bases and each of its counts the overall count minus the shown groups', so the next
    smallest group is hidden too (``Disclosure.hidden_parts``: secondary).
    A hidden group hides its whole row, so every barrier column holds none or at least two
    hidden counts. A barrier whose overall count is hidden is left out of the breakdown (its
    group counts would add up to it). A breakdown with more than half of its groups hidden is
    left out altogether (aggregated to the overall counts, with a note) rather than shown as
    a grid of markers. Returns ``long`` with the column ``hidden`` (the row is suppressed) and
    the breakdowns (``attribute``) left out."""
    shown_codes = set(overall.loc[~disclosure.too_few(overall["participants"]), "code_id"])
    long = long.assign(hidden=False)
    left_out: list[str] = []
    for attribute, rows in long.groupby("attribute", sort=False):
        bases = rows.drop_duplicates("category_code")[["category_code", "participants"]]
        hidden = disclosure.hidden_parts(dict(zip(bases["category_code"], bases["participants"])))
        long.loc[rows.index, "hidden"] = rows["category_code"].isin(hidden).to_numpy()
        if disclosure.mostly_hidden(bases["category_code"].isin(hidden)) or not shown_codes:
            left_out.append(attribute)
    return long[~long["attribute"].isin(left_out) & long["code_id"].isin(shown_codes)], left_out


def barriers_section(m: Material, disclosure: Disclosure,
                     attributes: tuple[str, ...] = DEFAULTS["group_attributes"]) -> Section:
    """Who raised which barrier: overall sentence, counts by group and sex, one chart per breakdown."""
    counts = barrier_counts(m)
    blocks: list[Any] = [Text("ql_barriers_note"), Text("ql_barriers_suppression", {"min_cell": disclosure.min_cell})]
    if len(counts) and disclosure.allows(int(counts["participants"].max())):
        top = counts.iloc[0]
        blocks.append(Text("ql_barriers_top", {"code": top["barrier"], "n": int(top["participants"]),
                                               "total": int(top["total"])}))
    few = disclosure.too_few(counts["participants"])
    if disclosure.mostly_hidden(few):  # the barriers raised by enough people, the others named in a note
        blocks.append(Text("ql_barriers_few", {"names": "; ".join(counts.loc[few, "barrier"]),
                                               "min_cell": disclosure.min_cell}))
        counts = counts[~few]
    if len(counts):
        blocks.append(Table("participants_mentioning", "ql_barriers_overall", counts[["barrier", "participants"]],
                            count="participants", labels=("barrier",), decimals=0))  # the name study_facts' test reads
    long, left_out = shown_groups(barriers_by_group(m, attributes), barrier_counts(m), disclosure)
    names = m.study.dictionary("qual_cases")
    for attribute in left_out:
        blocks.append(Text("ql_barriers_aggregated", {"breakdown": names.label(attribute, m.language),
                                                      "min_cell": disclosure.min_cell}))
    if long.empty:
        return Section("barriers", "ql_barriers", blocks)
    # a secondarily hidden group shows no base either: the table hides the rows of a blank base
    long["participants"] = long["participants"].astype("Int64").mask(long["hidden"])
    shown = [x for x in m.barriers if x in set(long["code_id"])]
    wide = long.pivot_table(index=["attribute", "breakdown", "category", "category_code"], columns="code_id",
                            values="raised", aggfunc="first", sort=False).reindex(columns=shown).reset_index()
    bases = long.drop_duplicates(["attribute", "category_code"])[["attribute", "category_code", "participants"]]
    wide = wide.merge(bases, on=["attribute", "category_code"], how="left", validate="one_to_one")
    wide = wide[["breakdown", "category", "participants", *shown]]
    wide.columns.name = None
    headings = {x: m.code_names[x] for x in shown}
    blocks.append(Table("barriers-by-group", "ql_barriers_table", wide, count="participants",
                        labels=("breakdown", "category"), decimals=0, headings=headings,
                        note=Text("ql_barriers_secondary", {"min_cell": disclosure.min_cell})))
    drawn = long[~long["hidden"]].astype({"participants": int})
    if len(drawn):
        blocks.append(ic.barriers_heatmap(drawn))
    return Section("barriers", "ql_barriers", blocks)


def turn_pairs(m: Material) -> pd.DataFrame:
    """Every pair of codes applied in the same speaker turn (``qualitative.code_cooccurrence``)."""
    return qa.code_cooccurrence(m.coded, unit="turn", turns=m.corpus.turns, codes=m.corpus.codes)


def cooccurrence_pairs(m: Material, top: int = DEFAULTS["strongest_pairs"]) -> pd.DataFrame:
    """The code pairs applied together in most speaker turns: code_a, code_b (names),
    turns_a, turns_b, turns_both, jaccard."""
    pairs = turn_pairs(m)
    if pairs.empty:
        return pd.DataFrame(columns=["code_a", "code_b", "turns_a", "turns_b", "turns_both", "jaccard"])
    strongest = pairs.sort_values(["n_both", "jaccard"], ascending=False, kind="stable").head(int(top))
    return pd.DataFrame({"code_a": strongest["code_a"].map(m.code_names).to_numpy(),
                         "code_b": strongest["code_b"].map(m.code_names).to_numpy(),
                         "turns_a": strongest["n_a"].astype(int).to_numpy(),
                         "turns_b": strongest["n_b"].astype(int).to_numpy(),
                         "turns_both": strongest["n_both"].astype(int).to_numpy(),
                         "jaccard": strongest["jaccard"].astype(float).to_numpy()})


def cooccurrence_section(m: Material, top: int = DEFAULTS["strongest_pairs"],
                         min_turns: int = DEFAULTS["min_shared_turns"]) -> Section:
    """Themes raised in the same speaker turn: their network and the strongest pairs (turns, not people)."""
    pairs = cooccurrence_pairs(m, top)
    if pairs.empty:
        return Section("cooccurrence", "ql_cooccurrence", [Text("ql_cooccurrence_none")])
    return Section("cooccurrence", "ql_cooccurrence", [
        Text("ql_cooccurrence_intro"), ic.theme_network(turn_pairs(m), m.code_names, min_turns),
        Table("cooccurrence", "ql_cooccurrence_table", pairs, count=None, labels=("code_a", "code_b"),
              decimals={"turns_a": 0, "turns_b": 0, "turns_both": 0, "jaccard": 2}, note=Text("ql_cooccurrence_note"))])


def reliability(m: Material, unit: str = DEFAULTS["reliability_unit"], n_boot: int = DEFAULTS["n_boot"],
                seed: int = DEFAULTS["seed"]) -> pd.DataFrame:
    """Intercoder reliability of every codable code and over all codes (``code_id`` "ALL"),
    on the double-coded transcripts of the whole study, with the agreement bands."""
    c = m.corpus_all
    spoken = c.turns[~c.turns["role"].isin(_INTERVIEWERS)] if "role" in c.turns.columns else c.turns
    table = qa.code_reliability(c.segments, c.documents, unit=unit, turns=spoken,
                                codes=c.codes[c.codes["is_codable"]], n_boot=n_boot, seed=seed)
    return qp.interpret_reliability(table) if len(table) else table


def _band(key: Any) -> Text:
    return Text(f"ql_band_{key}") if isinstance(key, str) else Text("ql_band_none")


def reliability_section(m: Material, table: pd.DataFrame, n_boot: int = DEFAULTS["n_boot"]) -> Section:
    """How far two coders agree, per code and over all codes (methods)."""
    if table.empty:
        return Section("reliability", "ql_reliability", [Text("ql_reliability_none")], part="methods")
    per_code = table[table["code_id"] != "ALL"]
    pooled = table[table["code_id"] == "ALL"].iloc[0]
    weakest = per_code.sort_values("alpha", kind="stable").iloc[0]
    documents = len(m.corpus_all.documents)
    shown = pd.DataFrame({
        "code": [Text("ql_all_codes") if x == "ALL" else m.code_names.get(x, x) for x in table["code_id"]],
        "agreement": table["percent_agreement"].to_numpy(),
        "cohen_kappa": table["cohen_kappa"].to_numpy(), "cohen_kappa_low": table["cohen_ci_low"].to_numpy(),
        "cohen_kappa_high": table["cohen_ci_high"].to_numpy(),
        "cohen_kappa_band": [_band(b) for b in table["kappa_band"]],
        "krippendorff_alpha": table["alpha"].to_numpy(), "krippendorff_alpha_low": table["alpha_ci_low"].to_numpy(),
        "krippendorff_alpha_high": table["alpha_ci_high"].to_numpy(),
        "krippendorff_alpha_band": [_band(b) for b in table["alpha_band"]]})
    return Section("reliability", "ql_reliability", [
        Text("ql_reliability_intro", {"documents": int(pooled["n_documents"]), "total": documents,
                                      "share": int(pooled["n_documents"]) / documents,
                                      "units": int(per_code["n_units"].iloc[0])}),
        Text("ql_reliability_summary", {"kappa": float(pooled["cohen_kappa"]), "kappa_band": _band(pooled["kappa_band"]),
                                        "alpha": float(pooled["alpha"]), "alpha_band": _band(pooled["alpha_band"]),
                                        "weak": int((per_code["alpha"] < RELIABLE_ALPHA).sum()), "codes": len(per_code),
                                        "threshold": RELIABLE_ALPHA,
                                        "lowest": m.code_names.get(weakest["code_id"], weakest["code_id"]),
                                        "lowest_alpha": float(weakest["alpha"])}),
        Text("ql_reliability_bands", {"n_boot": int(n_boot)}),
        Table("reliability", "ql_reliability_table", shown, count=None,
              labels=("code", "cohen_kappa_band", "krippendorff_alpha_band"), percent=("agreement",),
              decimals={"agreement": 1, **{c: 2 for c in shown.columns if c.startswith(("cohen", "krippendorff"))}})],
        part="methods")


@dataclass
class Saturation:
    """Code discovery over the interviews in the order held (Guest, Namey & Chen 2020)."""

    interviews: int
    doc_type: str
    curve: pd.DataFrame | None = None
    runs: pd.DataFrame | None = None
    summary: pd.Series | None = None


def saturation(m: Material, doc_type: str = DEFAULTS["saturation_doc_type"],
               base_size: int = DEFAULTS["saturation_base_size"], run_length: int = DEFAULTS["saturation_run_length"],
               threshold: float = DEFAULTS["saturation_threshold"]) -> Saturation:
    """The discovery curve, the runs and the summary; None parts when too few interviews."""
    documents = m.corpus.documents
    interviews = documents[documents["doc_type"] == doc_type].sort_values(["date", "doc_id"], kind="stable")
    label = m.study.dictionary("qual_documents").value_labels("doc_type", m.language).get(doc_type, doc_type)
    result = Saturation(len(interviews), label)
    if len(interviews) < base_size + run_length:
        return result
    sets = code_sets_by_document(m.coded, interviews["doc_id"].tolist())
    options = dict(base_size=base_size, run_length=run_length, threshold=threshold)
    result.curve = qa.discovery_curve(sets)
    result.runs = qa.saturation_runs(sets, **options)
    result.summary = qa.saturation_summary(sets, **options).iloc[0]
    return result


def saturation_section(s: Saturation, base_size: int = DEFAULTS["saturation_base_size"],
                       run_length: int = DEFAULTS["saturation_run_length"],
                       threshold: float = DEFAULTS["saturation_threshold"]) -> Section:
    """Would more interviews have found new themes? (methods)"""
    method = {"base": base_size, "run": run_length, "threshold": threshold}
    if s.summary is None:
        return Section("saturation", "ql_saturation", [
            Text("ql_saturation_too_few", {"n": s.interviews, "doc_type": s.doc_type, **method})], part="methods")
    summary = s.summary
    blocks: list[Any] = [Text("ql_saturation_intro", {"n": s.interviews, "doc_type": s.doc_type, **method,
                                                      "base_codes": int(summary["base_codes"])})]
    if pd.isna(summary["saturation_at"]):
        blocks.append(Text("ql_saturation_not_reached", method))
    else:
        total, found = int(summary["total_codes"]), int(summary["codes_at_saturation"])
        blocks.append(Text("ql_saturation_reached", {"at": int(summary["saturation_at"]), "threshold": threshold,
                                                     "codes": found, "total": total, "share": found / total,
                                                     "later": total - found}))
    blocks.append(ic.discovery_chart(s.curve, summary["saturation_at"]))
    runs = s.runs.rename(columns={"n_new_codes": "new_codes", "saturation_ratio": "new_information"})
    runs = runs[["run", "interviews", "new_codes", "base_codes", "new_information", "saturated"]].copy()
    runs["saturated"] = [Text("ql_yes") if v else Text("ql_no") for v in runs["saturated"]]
    blocks.append(Table("saturation-runs", "ql_saturation_table", runs, count=None,
                        labels=("run", "interviews", "saturated"), percent=("new_information",),
                        decimals={"new_codes": 0, "base_codes": 0, "new_information": 1}))
    return Section("saturation", "ql_saturation", blocks, part="methods")


def framework_section(m: Material, output_dir: Path | str | None, edition: str, sheet_title: str,
                      shown: int = DEFAULTS["framework_cases"], label: str = "") -> Section:
    """The Framework matrix: an excerpt of the first participants; the full matrix written to
    ``<output_dir>/<edition>_framework.xlsx`` when the build gives a folder, each sheet headed by
    ``sheet_title`` and ``label`` (the synthetic-data label, as the annex's sheets)."""
    c = m.corpus
    if c.cases.empty:
        return Section("framework", "ql_framework", [Text("ql_framework_none")])
    options = dict(turns=c.turns, depth=1, people=c.people, case_label="name")
    first = c.cases.head(int(shown))
    full = qa.framework_matrix(m.coded, c.documents, c.cases, c.codes, **options)
    full["theme_name"] = full["theme_id"].map(m.code_names)
    excerpt = qa.framework_matrix(m.coded, c.documents, first, c.codes, **options, excerpt_chars=140, max_excerpts=2)
    excerpt["theme_name"] = excerpt["theme_id"].map(m.code_names)

    def wide_of(matrix: pd.DataFrame) -> pd.DataFrame:  # cases as rows, themes as columns, in their order
        wide = matrix.pivot(index="case_label", columns="theme_name", values="summary")
        wide = wide.reindex(index=list(dict.fromkeys(excerpt["case_label"])),
                            columns=list(dict.fromkeys(excerpt["theme_name"]))).reset_index()
        wide.columns.name = None
        return wide

    wide = wide_of(excerpt)
    whole = wide_of(full[full["case_id"].isin(first["case_id"])])  # the annex: the same cells in full
    blocks: list[Any] = [Text("ql_framework_intro", {"shown": len(first), "cases": len(c.cases)})]
    if output_dir is not None:
        path = qa.write_framework_xlsx(full, Path(output_dir) / f"{edition}_framework.xlsx", title=sheet_title,
                                       label=label)
        blocks.append(Text("ql_framework_export", {"cases": len(c.cases), "themes": full["theme_id"].nunique(),
                                                   "file": path.name}))
    themes = [x for x in wide.columns if x != "case_label"]
    language = quoting.transcript_language(c.documents)  # the excerpts are the transcripts' words
    for frame in (wide, whole):
        for theme in themes:
            frame[theme] = [quoting.Quote(str(v), None, language) if isinstance(v, str) and v.strip() else v
                            for v in frame[theme]]
    blocks.append(Table("framework-excerpt", "ql_framework_table", wide, count=None, labels=tuple(wide.columns),
                        headings={x: x for x in themes}, annex_frame=whole))
    return Section("framework", "ql_framework", blocks)


def names_in(table: pd.DataFrame, language: str) -> pd.Series:
    """Each row's name in ``language``: the column ``name_<language>`` where it is filled (the
    codebook's convention, ``name_ru``), else ``name``."""
    column = f"name_{language}"
    if column not in table.columns:
        return table["name"]
    given = table[column].notna() & table[column].astype(str).str.strip().ne("")
    return table[column].where(given, table["name"])


def stakeholders(m: Material, top_leaders: int = DEFAULTS["top_leaders"],
                 national_region: str = DEFAULTS["national_region"]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edition's stakeholders (a region's and the national ones) and their centrality in
    the focus groups' mention network (the ``top_leaders`` most central flagged)."""
    dictionary = m.study.dictionary("qual_stakeholders")
    table = m.study.read("qual_stakeholders")
    table["name"] = names_in(table, m.language)
    if m.region is not None:
        table = pd.concat([overview.filter_region(table, dictionary, m.region),
                           table[table["region"] == national_region]])
    mentions = ic.edition_mentions(m.study, m.corpus.documents, table)
    return table, qa.stakeholder_centrality(qa.mention_network(mentions, table, unit_column="turn_id"),
                                            top_n=int(top_leaders))


def stakeholders_section(m: Material, top_leaders: int = DEFAULTS["top_leaders"],
                         national_region: str = DEFAULTS["national_region"]) -> Section:
    """The stakeholders' influence and interest, and who is central in the focus groups' mentions."""
    blocks: list[Any] = []
    if m.region is not None:
        blocks.append(Text("ql_stakeholders_region", {"region": m.region_label}))
    types = m.study.dictionary("qual_stakeholders").value_labels("type", m.language)
    stakeholders_, centrality = stakeholders(m, top_leaders, national_region)
    grid = qa.influence_interest_grid(stakeholders_, centrality=centrality)
    quadrant = {s: Text("ql_quadrant_" + q.replace(" ", "_")) for s, q in zip(grid["stakeholder_id"], grid["quadrant"])}
    blocks.append(Text("ql_stakeholders_intro", {"n": len(grid)}))
    ratings = grid.sort_values(["influence", "interest"], ascending=False, kind="stable")
    blocks.append(Table("stakeholder-grid", "ql_grid_table", pd.DataFrame({
        "stakeholder": ratings["name"].to_numpy(), "stakeholder_type": [types.get(v, v) for v in ratings["type"]],
        "influence": ratings["influence"].to_numpy(), "interest": ratings["interest"].to_numpy(),
        "quadrant": [quadrant[s] for s in ratings["stakeholder_id"]]}), count=None,
        labels=("stakeholder", "stakeholder_type", "quadrant"), decimals=0))
    blocks.append(ic.grid_bubbles(grid, types))
    mentioned = centrality[centrality["n_units"] > 0]
    if mentioned.empty:
        blocks.append(Text("ql_network_none"))
        return Section("stakeholders", "ql_stakeholders", blocks)
    leaders = mentioned[mentioned["potential_leader"]]
    blocks.append(Text("ql_network_intro", {"leaders": "; ".join(leaders["name"])}))
    top = mentioned.head(10)
    blocks.append(Table("stakeholder-centrality", "ql_centrality_table", pd.DataFrame({
        "stakeholder": top["name"].to_numpy(), "stakeholder_type": [types.get(v, v) for v in top["type"]],
        "quadrant": [quadrant[s] for s in top["stakeholder_id"]], "mentions": top["n_units"].to_numpy(),
        "linked": top["degree"].to_numpy(), "betweenness": top["betweenness"].to_numpy(),
        "eigenvector": top["eigenvector"].to_numpy(),
        "potential_leader": [Text("ql_yes") if v else Text("ql_no") for v in top["potential_leader"]]}),
        count=None, labels=("stakeholder", "stakeholder_type", "quadrant", "potential_leader"),
        decimals={"mentions": 0, "linked": 0, "betweenness": 3, "eigenvector": 3}, note=Text("ql_centrality_note")))
    links = ic.stakeholder_type_links(ic.edition_mentions(m.study, m.corpus.documents, stakeholders_), stakeholders_,
                                      types)
    blocks.append(ic.stakeholder_network(links) if len(links) else Text("ql_stakeholder_network_none"))
    return Section("stakeholders", "ql_stakeholders", blocks)


def quotes_section(m: Material, disclosure: Disclosure, main: int = DEFAULTS["main_barriers"],
                   per_barrier: int = DEFAULTS["quotes_per_barrier"]) -> Section:
    """Typical, scrubbed quotes for the barriers raised by most participants, chosen and
    attributed as every report does (``reports.quotes``: group and sex only where enough
    people share them), in the language of the transcripts."""
    counts = barrier_counts(m)
    chosen = counts[counts["participants"] > 0].head(int(main))["code_id"].tolist()
    groups = m.study.dictionary("qual_cases").value_labels("respondent_group", m.language)
    quotes = quoting.attributed_quotes(m.corpus, m.coded[m.coded["code_id"].isin(chosen)], disclosure, groups,
                                       group="respondent_group", sex="sex", per_code=int(per_barrier))
    if quotes.empty:
        return Section("quotes", "ql_quotes", [Text("ql_quotes_none")])
    note = quoting.quotes_note(quotes, m.language)
    blocks: list[Any] = [Text("ql_quotes_intro", {"per_code": int(per_barrier), "n": len(chosen)}),
                         *([note] if note else [])]
    for code_id in chosen:
        blocks.append(Text("ql_quote_heading", {"name": m.code_names[code_id]}))
        blocks.extend(quotes.loc[quotes["code_id"] == code_id, "quote"])
    return Section("quotes", "ql_quotes", blocks)


def material_section(m: Material) -> Section:
    """What the findings rest on: transcripts by type, participants, whose coding (methods)."""
    c = m.corpus
    kinds = c.documents["doc_type"].value_counts()
    blocks: list[Any] = [Text("ql_corpus", {"documents": len(c.documents), "kii": int(kinds.get("KII", 0)),
                                            "expert": int(kinds.get("expert", 0)), "fgd": int(kinds.get("FGD", 0)),
                                            "cases": len(c.cases), "coder": m.coder})]
    if m.region is not None:
        blocks.append(Text("ql_region_subset" if len(c.documents) else "ql_region_empty", {"region": m.region_label}))
    return Section("material", "ql_material", blocks, part="methods")


def findings_section(m: Material, disclosure: Disclosure, reliability_table: pd.DataFrame, s: Saturation,
                     centrality: pd.DataFrame, documents_code: str = DEFAULTS["documents_code"]) -> Section:
    """5-7 plain-language findings, each linked to the section with its evidence."""
    counts = barrier_counts(m)
    raised = counts[~disclosure.too_few(counts["participants"])]  # a count of fewer people is not shown
    blocks: list[Any] = []
    if len(raised) and disclosure.allows(int(raised["total"].iloc[0])):
        top = raised.iloc[0]
        blocks.append(Finding("ql_finding_top", "barriers", {"code": top["barrier"], "n": int(top["participants"]),
                                                             "total": int(top["total"]), "share": float(top["share"])}))
        if len(raised) >= 3:
            blocks.append(Finding("ql_finding_next", "barriers", {
                "first": raised["barrier"].iloc[1], "n1": int(raised["participants"].iloc[1]),
                "second": raised["barrier"].iloc[2], "n2": int(raised["participants"].iloc[2])}))
        docs = raised[raised["code_id"] == documents_code]
        if len(docs) and documents_code not in raised["code_id"].head(3).tolist():
            row = docs.iloc[0]
            blocks.append(Finding("ql_finding_documents", "barriers", {"code": row["barrier"],
                                                                       "n": int(row["participants"]),
                                                                       "total": int(row["total"])}))
    pairs = cooccurrence_pairs(m, 1)
    if len(pairs):
        blocks.append(Finding("ql_finding_pair", "cooccurrence", {"a": pairs["code_a"].iloc[0], "b": pairs["code_b"].iloc[0],
                                                                  "turns": int(pairs["turns_both"].iloc[0])}))
    if len(reliability_table):
        pooled = reliability_table[reliability_table["code_id"] == "ALL"].iloc[0]
        per_code = reliability_table[reliability_table["code_id"] != "ALL"]
        blocks.append(Finding("ql_finding_reliability", "reliability", {
            "alpha": float(pooled["alpha"]), "low": float(pooled["alpha_ci_low"]), "high": float(pooled["alpha_ci_high"]),
            "weak": int((per_code["alpha"] < RELIABLE_ALPHA).sum()), "codes": len(per_code), "threshold": RELIABLE_ALPHA}))
    if s.summary is not None and not pd.isna(s.summary["saturation_at"]):
        blocks.append(Finding("ql_finding_saturation", "saturation", {"at": int(s.summary["saturation_at"]),
                                                                      "n": s.interviews}))
    elif s.summary is not None:
        blocks.append(Finding("ql_finding_no_saturation", "saturation", {"n": s.interviews}))
    leaders = centrality[centrality["potential_leader"] & (centrality["n_units"] > 0)]
    if len(leaders):
        blocks.append(Finding("ql_finding_leaders", "stakeholders", {"leaders": "; ".join(leaders["name"])}))
    if not blocks:
        blocks.append(Text("ql_findings_none"))
    return Section("findings", "key_findings", blocks, part="findings")


def sections(m: Material, disclosure: Disclosure, *, output_dir: Path | str | None = None,
             edition: str = REPORT, framework_title: str = "Framework matrix", framework_label: str = "",
             **options: Any) -> list[Section]:
    """The report's sections (findings first, methods last); ``options`` override ``DEFAULTS``.
    ``framework_title`` and ``framework_label`` (the synthetic-data label, ``Report.synthetic_label``)
    head every sheet of the framework workbook."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        from workbench.errors import WorkbenchError

        raise WorkbenchError("unknown option of report 02", value=unknown, expected=f"one of {sorted(DEFAULTS)}")
    o = {**DEFAULTS, **options}
    table = reliability(m, o["reliability_unit"], o["n_boot"], o["seed"])
    satur = {k: o[f"saturation_{k}"] for k in ("base_size", "run_length", "threshold")}
    s = saturation(m, o["saturation_doc_type"], **satur)
    centrality = stakeholders(m, o["top_leaders"], o["national_region"])[1]
    return [findings_section(m, disclosure, table, s, centrality, o["documents_code"]),
            barriers_section(m, disclosure, tuple(o["group_attributes"])),
            cooccurrence_section(m, o["strongest_pairs"], o["min_shared_turns"]),
            framework_section(m, output_dir, edition, framework_title, o["framework_cases"], framework_label),
            stakeholders_section(m, o["top_leaders"], o["national_region"]),
            quotes_section(m, disclosure, o["main_barriers"], o["quotes_per_barrier"]),
            material_section(m), reliability_section(m, table, o["n_boot"]), saturation_section(s, **satur)]
