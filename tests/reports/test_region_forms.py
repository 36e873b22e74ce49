"""Reports 00, 01, 02 and 03 select one region however it is named (issue 15.5): the survey's
code 6, its English label and its Russian label give the same sections, and an unknown region
is an error listing the known ones (``regions.study_region``, the one resolver).

Oracles: the demo files counted by hand with pandas (survey rows with region == 6; transcripts
whose region's English label is "Osh oblast"); equality of the three editions as a property."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.disclosure import Disclosure
from workbench.errors import WorkbenchError
from workbench.reports import attitudes, interviews, overview, risk_assessment
from workbench.reports.sections import Table, Text

FORMS = (6, "Osh oblast", "Ошская область")


def _in_osh_oblast(study, dataset: str, id_column: str) -> set:
    """Ids of ``dataset``'s rows whose region's English label is Osh oblast (pandas, by hand)."""
    table = study.read(dataset)
    english = table["region"].map(study.dictionary(dataset).value_labels("region", "en"))
    return set(table.loc[english == "Osh oblast", id_column])


def _tables(sections) -> list[Table]:
    return [b for s in sections for b in s.blocks if isinstance(b, Table)]


def test_overview_is_the_same_for_a_code_and_both_labels(demo_study) -> None:
    editions = [_tables(overview.sections(demo_study, region=r)) for r in FORMS]
    for tables in editions[1:]:
        assert [t.name for t in tables] == [t.name for t in editions[0]]
        for a, b in zip(editions[0], tables):
            pd.testing.assert_frame_equal(a.frame, b.frame)
    by_region = next(t for t in editions[0] if t.name == "respondents_by_region").frame
    assert by_region["respondents"].tolist() == [(demo_study.read("survey")["region"] == 6).sum()]
    with pytest.raises(WorkbenchError, match="Batken"):
        overview.sections(demo_study, region="Atlantis")


def test_attitudes_are_the_same_for_a_code_and_both_labels(demo_study) -> None:
    editions = [attitudes.analyse(demo_study, region=r) for r in FORMS]
    n = (demo_study.read("survey")["region"] == 6).sum()
    for a in editions:
        assert a.region == "Osh oblast" and attitudes.region_respondents(a) == n
        pd.testing.assert_frame_equal(a.estimates, editions[0].estimates)


def test_interviews_are_the_same_for_a_code_and_both_labels(demo_study) -> None:
    expected = _in_osh_oblast(demo_study, "qual_documents", "doc_id")  # codes Osh oblast "Osh"
    for language, name in (("en", "Osh oblast"), ("ru", "Ошская область")):
        editions = [interviews.material(demo_study, region=r, language=language) for r in FORMS]
        assert expected and all(set(m.corpus.documents["doc_id"]) == expected for m in editions)
        assert {m.region_label for m in editions} == {name}
    with pytest.raises(WorkbenchError, match="Batken"):
        interviews.material(demo_study, region="Atlantis")


def test_risk_assessment_selects_the_same_clients_for_a_code_and_both_labels(demo_study) -> None:
    """The clients file codes regions by name ("Osh"), the survey by number: 6 worked nowhere
    in report 03 before. Oracle: the clients file filtered by hand on the English label."""
    from workbench.reports import risk_assessment

    expected = _in_osh_oblast(demo_study, "probation_clients", "client_id")
    for r in FORMS:
        data = risk_assessment.load(demo_study, region=r)
        assert expected and set(data.intake["client_id"]) == expected


def test_recidivism_selects_the_same_clients_for_a_code_and_both_labels(demo_study) -> None:
    """Report 04 reads the same clients file as 03. Oracle: the file filtered by hand."""
    from workbench.reports import recidivism

    expected = _in_osh_oblast(demo_study, "probation_clients", "client_id")
    for r in FORMS:
        assert expected and set(recidivism.load(demo_study, region=r).clients["client_id"]) == expected


def test_risk_assessment_names_the_region_however_it_was_given(demo_study) -> None:
    """Report 03's region note names the region in the report language, not the value as typed
    (property: the three forms give one note; oracle: the dictionary's labels)."""
    for language, name in (("en", "Osh oblast"), ("ru", "Ошская область")):
        notes = set()
        for form in FORMS:
            section = next(s for s in risk_assessment.sections(demo_study, Disclosure(10), region=form,
                                                               language=language) if s.id == "data")
            note = next(b for b in section.blocks if isinstance(b, Text) and b.key == "risk_region_note")
            notes.add(note.values["region"])
        assert notes == {name}
