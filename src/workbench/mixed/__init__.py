"""Mixed methods: joint displays of the survey and the interviews, convergence, evidence strength.

Public contract::

    from workbench.mixed import load_study_mapping, joint_display, suppress_joint_display, assess
    mapping = load_study_mapping(study)            # parameters/joint_display.yaml, validated
    table = joint_display(mapping, survey, raised, reliability)
    assessed = assess(suppress_joint_display(table, Disclosure(min_cell)), mapping.rules)
"""

from workbench.mixed.evidence import (
    indicator_table, prepare_mapped_survey, qualitative_evidence, row_reliability, row_segments, selected_raising,
    survey_evidence,
)
from workbench.mixed.findings import assess, compare_groups, recommendation_evidence, row_verdicts, summary_facts
from workbench.mixed.joint_display import (
    joint_display, load_study_mapping, load_study_recommendations, suppress_joint_display,
)
from workbench.mixed.mapping import JointDisplayMapping, Recommendation, load_mapping, load_recommendations

__all__ = [
    "JointDisplayMapping", "Recommendation", "assess", "compare_groups", "indicator_table", "joint_display",
    "load_mapping", "load_recommendations", "load_study_mapping", "load_study_recommendations",
    "prepare_mapped_survey", "qualitative_evidence", "recommendation_evidence", "row_reliability", "row_segments",
    "row_verdicts", "selected_raising", "summary_facts", "suppress_joint_display", "survey_evidence",
]
