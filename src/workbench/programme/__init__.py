"""Programme monitoring tools: training evaluation, supervision quality, facts and figures.

Modules: ``training`` (pre/post knowledge tests), ``supervision`` (checklist reviews of case
files and visits), ``facts`` (counts from the violent-extremism case register),
``proportions`` (exact binomial intervals). Small-cell suppression of count tables lives in
``workbench.disclosure`` (one policy for every report). See ``docs/programme.md``.
"""

from workbench.programme.facts import facts_by_year, facts_counts, register_events
from workbench.programme.proportions import exact_ci
from workbench.programme.supervision import (
    clustered_intervals,
    compliance,
    compliance_over_time,
    office_scores,
    offices_below_standard,
    paired_reviews,
    review_counts,
    reviewer_agreement,
)
from workbench.programme.training import (
    improvement_definition,
    item_mcnemar,
    item_statistics,
    paired_score_tests,
    participant_counts,
    participant_scores,
    results_by,
    share_improved,
    trainer_results,
)

__all__ = [
    "clustered_intervals", "compliance", "compliance_over_time", "exact_ci", "facts_by_year", "facts_counts",
    "improvement_definition", "item_mcnemar", "item_statistics", "office_scores", "offices_below_standard",
    "paired_reviews", "paired_score_tests", "participant_counts", "participant_scores", "review_counts",
    "register_events", "results_by",
    "reviewer_agreement", "share_improved", "trainer_results",
]
