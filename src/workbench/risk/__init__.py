"""Risk-and-needs assessment: score an instrument, validate it, model recidivism, plan supervision.

Modules: ``definition`` (instrument YAML), ``instrument`` (``RiskInstrument`` scikit-learn
transformer), ``assessments`` (intake and reassessments over time), ``outcomes`` (follow-up
windows), ``validation`` (AUC, calibration, error rates, differential prediction),
``reliability`` (inter-rater ICC and weighted kappa), ``survival`` (Kaplan-Meier, log-rank,
Cox, Aalen-Johansen), ``supervision`` (contact standards and officer workload), ``compas``
(ProPublica COMPAS reader). See ``docs/risk.md``.
"""

from workbench.risk.assessments import (
    adherence_summary,
    check_assessment_sequence,
    level_distribution,
    level_flows,
    level_history,
    level_transitions,
    supervision_adherence,
    time_at_level,
)
from workbench.risk.compas import compas_counts, compas_records, load_compas
from workbench.risk.definition import InstrumentDefinition, load_instrument
from workbench.risk.instrument import RiskInstrument, answers_from_long, score_assessments
from workbench.risk.outcomes import follow_up, outcome_within
from workbench.risk.reliability import interrater_reliability
from workbench.risk.supervision import (
    DEFAULT_OFFICERS,
    caseload,
    contact_standards,
    current_levels,
    high_risk_capacity,
    officers_by_group,
    workload,
)
from workbench.risk.survival import (
    at_risk_table,
    cumulative_incidence,
    fit_cox,
    kaplan_meier,
    logrank_test,
    proportional_hazards_check,
    values_at,
)
from workbench.risk.validation import (
    calibration_table,
    cutoff_table,
    delong_auc,
    differential_prediction,
    implied_probability,
    validate_scores,
)

__all__ = [
    "DEFAULT_OFFICERS", "InstrumentDefinition", "RiskInstrument", "adherence_summary", "answers_from_long",
    "at_risk_table", "calibration_table", "caseload", "check_assessment_sequence", "compas_counts", "compas_records",
    "contact_standards",
    "cumulative_incidence", "current_levels", "cutoff_table", "delong_auc", "differential_prediction",
    "fit_cox", "follow_up", "high_risk_capacity", "implied_probability",
    "interrater_reliability", "kaplan_meier", "level_distribution", "level_flows", "level_history", "level_transitions", "load_compas",
    "load_instrument", "logrank_test", "officers_by_group", "outcome_within", "proportional_hazards_check", "score_assessments",
    "supervision_adherence", "time_at_level", "validate_scores", "values_at", "workload",
]
