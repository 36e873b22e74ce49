"""Design-based analysis of complex surveys (weights, strata, clusters, fpc, replicates).

Validated against R's ``survey`` package (Lumley) and the Python package ``svy``; see
docs/survey-engine.md. Start with ``SurveyDesign``; every estimator is a method of it.
"""

from workbench.survey.design import SurveyDesign
from workbench.survey.scales import cronbach_alpha, reverse_code, scale_index

__all__ = ["SurveyDesign", "cronbach_alpha", "reverse_code", "scale_index"]
