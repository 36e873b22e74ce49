"""Report sections: what each report says, as data (one module per report).

A report module's functions take the study (or DataFrames) and parameters and return
``Section`` objects (``workbench.reports.sections``) holding message keys with raw values,
tidy tables and chart specifications; ``workbench.reporting`` renders them. See
docs/report-sections.md.
"""
