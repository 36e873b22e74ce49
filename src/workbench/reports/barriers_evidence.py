"""Report 10, barriers to reintegration: the evidence every section reads, computed once.

``evidence(study, disclosure, ...)`` finds the study's mapping and recommendations (by the
dataset's declared ``model`` or, for a mapping file without one, by what the file holds: rows
or recommendations; a name given in the notebook wins), prepares the survey (raked to the
population margins when the study has them), estimates every mapped indicator in the
edition's region, reads the qualitative corpus of that region, measures intercoder
reliability, builds the joint display, hides what rests on too few people (the edition's
``Disclosure``) and grades each row (``workbench.mixed``). The sections of
``reports.barriers`` and ``reports.barriers_pages`` only choose what to show of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench import mixed as mx
from workbench import overview
from workbench import qualitative as qa
from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.io.safe_yaml import load_yaml
from workbench.mixed.joint_display import count_prefixes
from workbench.mixed.mapping import JointDisplayMapping, Recommendation
from workbench.qualitative import presentation as qp
from workbench.qualitative.corpus import Corpus
from workbench.qualitative.study_corpus import load_study_corpus
from workbench.regions import study_region
from workbench.schemas import DataDictionary
from workbench.study import Study
from workbench.survey.preparation import PreparedSurvey, domain, respondents as count_respondents
from workbench.survey.study_datasets import find_margins
from workbench.survey.design import SurveyDesign

#: analysis choices of report 10, each changeable by name in ``evidence(..., name=value)``
DEFAULTS: dict[str, Any] = {
    "min_respondents": 20,        # raking: a margin cell needs this many respondents, else it is collapsed
    "reliability_unit": "turn",   # comparison unit for intercoder reliability
    "n_boot": 200,                # bootstrap resamples for alpha's interval (the report uses the estimate)
    "seed": 20261122,             # seed of the bootstrap
    "quotes_per_row": 2,          # quotes per joint-display row
    "summary_rows": None,         # barriers in the executive summary; None: all
    "notable_difference": 0.2,    # group differences (share points, 0-1) named in the text
    "saturation_doc_type": "KII",  # transcripts used for saturation, in interview order
    "saturation_base_size": 4,    # Guest, Namey & Chen (2020)
    "saturation_run_length": 2,
    "saturation_threshold": 0.05,
}
#: what a mapping-format dataset holds, by the top-level key of its file
KINDS = {"joint_display": "rows", "recommendations": "recommendations"}
#: qualitative datasets of the study (``qualitative.study_corpus`` reads them by this prefix)
DOCUMENTS, CASES = "qual_documents", "qual_cases"


def mapping_dataset_of(study: Study, kind: str, name: str | None = None) -> str:
    """The study's mapping dataset of ``kind`` (``joint_display`` or ``recommendations``):
    ``name`` when given, else the one dataset of format ``mapping`` whose study.yaml entry
    declares ``model: <kind>``, or, without a model, whose file holds the kind's list."""
    if kind not in KINDS:
        raise WorkbenchError("unknown kind of mapping", value=kind, expected=" or ".join(KINDS))
    if name is not None:
        return name
    found = []
    for dataset in study.datasets.values():
        if dataset.format != "mapping" or dataset.model not in (None, kind):
            continue
        head = load_yaml(dataset.path, what="the mapping file") if dataset.model is None else {KINDS[kind]: True}
        if isinstance(head, dict) and KINDS[kind] in head:
            found.append(dataset.name)
    if len(found) != 1:
        raise WorkbenchError(f"the study has {len(found)} mapping datasets of the kind {kind!r}",
                             file=str(study.root / "study.yaml"), value=", ".join(sorted(found)) or None,
                             expected=f"exactly one dataset of format 'mapping' with 'model: {kind}' (or a file "
                                      f"listing '{KINDS[kind]}:'), or the notebook parameter naming one")
    return found[0]


def options(**given: Any) -> dict[str, Any]:
    """``DEFAULTS`` with ``given`` applied; an unknown name is an error that lists the known ones."""
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise WorkbenchError("unknown option of report 10", value=", ".join(unknown),
                             expected=f"one of {sorted(DEFAULTS)}")
    return {**DEFAULTS, **given}


@dataclass
class Evidence:
    """Everything report 10 shows, computed once for one edition (region, language, disclosure)."""

    study: Study
    region: Any
    language: str
    disclosure: Disclosure
    options: dict[str, Any]
    mapping: JointDisplayMapping
    recommendations: list[Recommendation]
    survey_dictionary: DataDictionary
    prepared: PreparedSurvey
    margins: str | None
    indicators: pd.DataFrame
    design: SurveyDesign
    survey: pd.DataFrame               # indicator estimates of the edition (``mixed.survey_evidence``)
    corpus_all: Corpus
    corpus: Corpus                     # the edition's transcripts
    coder: Any
    coded: pd.DataFrame                # the edition's segments of ``coder``
    reliability: pd.DataFrame
    assessed: pd.DataFrame             # the joint display, suppressed and graded
    linked: pd.DataFrame               # recommendation x evidence row (``mixed.recommendation_evidence``)
    labels: dict[str, str] = field(default_factory=dict)  # row id -> label in the report language

    @property
    def respondents(self) -> int:
        """Survey respondents of the edition."""
        return count_respondents(self.design)

    def documents_of(self, source: str, corpus: Corpus | None = None) -> int:
        """Transcripts of one kind of source (``key_informants``, ``experts``, ``focus_groups``)."""
        documents = (corpus or self.corpus).documents
        return int((documents["doc_type"] == self.mapping.sources[source]).sum())


def region_corpus(study: Study, corpus: Corpus, region: Any) -> Corpus:
    """The transcripts (and everything coded in them) of one region; all for ``None``."""
    documents = overview.filter_region(study.read(DOCUMENTS), study.dictionary(DOCUMENTS), region)
    return qp.subset_corpus(corpus, documents["doc_id"])


def joint(ev: Evidence, survey: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """The joint display of ``survey`` estimates and ``corpus`` (the edition's coder), with
    everything resting on too few people hidden by the edition's disclosure policy."""
    coded = corpus.segments[corpus.segments["coder"] == ev.coder]
    raised = mx.qualitative_evidence(corpus, coded, ev.mapping)
    table = mx.joint_display(ev.mapping, survey, raised, mx.row_reliability(ev.reliability, ev.mapping))
    return complementary(table, mx.suppress_joint_display(table, ev.disclosure), ev.mapping, ev.disclosure)


def complementary(table: pd.DataFrame, shown: pd.DataFrame, rows: JointDisplayMapping,
                  disclosure: Disclosure) -> pd.DataFrame:
    """Secondary suppression of the key informants' breakdowns: the groups (and the sexes)
    split the key informants, whose total the display shows, so a single hidden group would be
    the total minus the groups shown; ``Disclosure.hidden_parts`` hides a second one
    (``table``: the display before suppression, ``shown``: after)."""
    shown = shown.copy()
    for attribute in (rows.group_attribute, rows.sex_attribute):
        prefixes = [p for p in count_prefixes(table) if p.startswith(f"ki_{attribute}_")]
        for i in range(len(table)):
            sizes = {p: table[f"{p}_base"].iloc[i] for p in prefixes if pd.notna(table[f"{p}_base"].iloc[i])}
            for p in disclosure.hidden_parts(sizes) if sizes else ():
                shown.loc[shown.index[i], [f"{p}_n", f"{p}_base"]] = pd.NA
                shown.loc[shown.index[i], f"{p}_hidden"] = True
    return shown


def evidence(study: Study, disclosure: Disclosure, *, region: Any = None, language: str = "en",
             mapping: str | None = None, recommendations: str | None = None, margins: str | None = None,
             coder: Any = None, **given: Any) -> Evidence:
    """Compute the evidence of one edition of report 10 (see the module docstring);
    ``given`` overrides ``DEFAULTS`` by name. ``region`` is a code or a label in either
    language of any of the study's datasets (``regions.study_region``: the survey's number
    and the transcripts' name select the same region)."""
    opts = options(**given)
    region = study_region(study, region)
    rows = mx.load_study_mapping(study, mapping_dataset_of(study, "joint_display", mapping))
    recs = mx.load_study_recommendations(study, rows, mapping_dataset_of(study, "recommendations", recommendations))
    dictionary = study.dictionary(rows.survey)
    margins = margins if margins is not None else find_margins(study, rows.survey)
    prepared = mx.prepare_mapped_survey(study.read(rows.survey), dictionary, rows,
                                        study.read(margins) if margins else None,
                                        study.dictionary(margins) if margins else None,
                                        min_respondents=int(opts["min_respondents"]))
    indicators = mx.indicator_table(rows.indicators(), dictionary)
    design, _ = domain(prepared, region)
    estimated = indicators if count_respondents(design) else indicators.iloc[0:0]
    survey = mx.survey_evidence(design, estimated)

    corpus_all = load_study_corpus(study)
    coder = coder if coder is not None else qp.primary_coder(corpus_all.segments)
    corpus = region_corpus(study, corpus_all, region)
    spoken = corpus_all.turns[~corpus_all.turns["role"].isin(["interviewer", "moderator"])]
    reliability = qa.code_reliability(corpus_all.segments, corpus_all.documents, unit=opts["reliability_unit"],
                                      turns=spoken, codes=corpus_all.codes[corpus_all.codes["is_codable"]],
                                      n_boot=int(opts["n_boot"]), seed=int(opts["seed"]))
    ev = Evidence(study, region, language, disclosure, opts, rows, recs, dictionary, prepared, margins, indicators,
                  design, survey, corpus_all, corpus, coder, corpus.segments[corpus.segments["coder"] == coder],
                  reliability, pd.DataFrame(), pd.DataFrame(),
                  labels={row.id: row.label[language] for row in rows.rows})
    ev.assessed = mx.assess(joint(ev, survey, corpus), rows.rules)
    ev.linked = mx.recommendation_evidence(recs, ev.assessed)
    return ev
