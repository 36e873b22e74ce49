"""Reporting: plotly theme and offline renderer, suppressed tables, messages, the build."""

from workbench.reporting.messages import text
from workbench.reporting.notebook import Report, start_report
from workbench.reporting.tables import ReportTables

__all__ = ["Report", "ReportTables", "start_report", "text"]
