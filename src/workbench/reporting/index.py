"""The landing page of ``reports/``: a study summary, then every report with a one-line
description, its parameters (as a reader reads them) and run time.

The study summary gathers the reports' key findings (``<report>.findings.json``, written by
``Report.show``): the first finding of each report, then the second, ... up to
``SUMMARY_SIZE``, each linked to the section of its report that shows it.

Reports that failed in a ``--keep-going`` build (the manifest's ``failed``) are listed too,
marked failed, with the error and no link. Everything shown is escaped.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from workbench.reporting.messages import catalogue, text
from workbench.reporting.notebook import FINDINGS_SUFFIX, inline_html
from workbench.reporting.parameters import reader_name, reader_value
from workbench.study import Study


SUMMARY_SIZE = 15


def headline_findings(folder: Path, runs: list[dict[str, Any]], size: int = SUMMARY_SIZE) -> list[dict[str, Any]]:
    """Up to ``size`` findings across the reports in ``folder``: each report's first, then
    each one's second, ...; every finding with the report it comes from (``report``)."""
    per_report = []
    for run in runs:
        try:
            findings = json.loads((folder / f"{run['name']}{FINDINGS_SUFFIX}").read_text(encoding="utf-8"))["findings"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        per_report.append([{**finding, "report": run["name"]} for finding in findings])
    chosen: list[dict[str, Any]] = []
    for rank in range(max((len(f) for f in per_report), default=0)):
        chosen.extend(findings[rank] for findings in per_report if rank < len(findings))
    return chosen[:size]


def _sentence(finding: dict[str, Any]) -> str:
    """A finding as its report shows it: its Markdown (values escaped when it was recorded)
    rendered by the report renderer, or, for a findings file without it, its text escaped."""
    if isinstance(finding.get("markdown"), str):
        return inline_html(finding["markdown"])
    return html.escape(str(finding.get("text", "")))


def _summary(folder: Path, manifest: dict[str, Any], labels: dict[str, str], language: str) -> str:
    """The study summary: headline findings, each linked to its source section."""
    items = "".join(
        f'<li>{_sentence(f)} <a href="{html.escape(f["report"])}.html#'
        f'{html.escape(str(f.get("section", "")))}">{html.escape(labels.get(f["report"], f["report"]))}</a></li>'
        for f in headline_findings(folder, manifest["notebooks"]))
    if not items:
        return ""
    return f'<h2>{html.escape(text("index_summary", language))}</h2>\n<ul class="summary">{items}</ul>'


def description(stem: str, language: str) -> str:
    """A report's one-line description: the catalogue's ``about_<notebook>``, else nothing."""
    key = f"about_{stem}"
    return str(text(key, language)) if key in catalogue() else ""


def output_label(file: str, report: str, language: str) -> str:
    """A report's extra file as a link names it: its format, and for a workbook what it holds
    (``<report>_tables.xlsx``: "XLSX (tables)", the catalogue's ``index_output_<part>`` in the
    report language, else the part of the name)."""
    label = Path(file).suffix.lstrip(".").upper()
    if not file.endswith(".xlsx"):
        return label
    part = file[len(report):].strip("_.").rsplit(".", 1)[0]
    key = f"index_output_{part}"
    return f"{label} ({text(key, language) if key in catalogue() else part})"


def write_index(path: Path, study: Study, manifest: dict[str, Any], titles: dict[str, dict[str, str]]) -> Path:
    """Write ``index.html`` (self-contained, no script, no network) and return its path."""
    language = manifest["parameters"].get("language", "en")
    built = manifest["built"].replace("T", " ")
    rows = []
    labels: dict[str, str] = {}
    for run in manifest["notebooks"]:
        title = titles.get(Path(run["notebook"]).stem, {}).get(language, run["name"])
        edition = run["name"][len(Path(run["notebook"]).stem):].strip("_").replace("-", " ")
        label = f"{title} ({edition})" if edition else title
        shown = {k: v for k, v in run["parameters"].items() if k != "study"}
        params = ", ".join(f"{reader_name(k, language)} = {reader_value(k, v, language)}" for k, v in sorted(shown.items()))
        about = description(Path(run["notebook"]).stem, language)
        labels[run["name"]] = label
        extras = " ".join(f'<a class="extra" href="{html.escape(f)}">{html.escape(output_label(f, run["name"], language))}</a>'
                          for f in run.get("outputs", []) if not f.endswith((".html", FINDINGS_SUFFIX)))
        about_html = f'<br><span class="about">{html.escape(about)}</span>' if about else ""
        rows.append((run["name"], f'<tr><td><a href="{html.escape(run["name"])}.html">{html.escape(label)}</a> {extras}'
                                  f'{about_html}</td>'
                                  f"<td>{html.escape(params)}</td><td>{html.escape(str(text('index_seconds', language, seconds=run['seconds'])))}</td></tr>"))
    for failed in manifest.get("failed", []):
        title = titles.get(Path(failed["notebook"]).stem, {}).get(language, failed["name"])
        rows.append((failed["name"], f'<tr class="failed"><td>{html.escape(title)} ({html.escape(failed["name"])}) '
                                     f'<strong class="failed">{html.escape(text("index_failed", language))}</strong>'
                                     f'<br><span class="error">{html.escape(failed.get("error", ""))}</span></td>'
                                     "<td></td><td></td></tr>"))
    banner = f'<p class="banner">{html.escape(text("synthetic_banner", language))}</p>' if study.synthetic else ""
    page = f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(text("index_title", language))}: {html.escape(study.title_in(language))}</title>
<style>
body {{ font-family: 'Segoe UI', Roboto, Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }}
.banner {{ background: #fff3cd; border: 1px solid #e0c36a; padding: 0.6em 1em; font-weight: 600; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 0.4em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }}
td:nth-child(2) {{ color: #555; font-size: 0.9em; }}
a.extra {{ font-size: 0.8em; margin-left: 0.4em; color: #555; }}
strong.failed {{ color: #b00020; }}
span.error {{ color: #555; font-size: 0.85em; }}
span.about {{ color: #333; font-size: 0.9em; }}
ul.summary li {{ margin-bottom: 0.4em; }}
</style></head>
<body>
<h1>{html.escape(text("index_title", language))}: {html.escape(study.title_in(language))}</h1>
{banner}
<p>{html.escape(text("index_intro", language, built=built, study=study.root.name))}</p>
{_summary(path.parent, manifest, labels, language)}
<table><thead><tr><th>{html.escape(text("index_report", language))}</th>
<th>{html.escape(text("index_parameters", language))}</th><th>{html.escape(text("index_run_time", language))}</th></tr></thead>
<tbody>
{chr(10).join(row for _, row in sorted(rows, key=lambda item: item[0]))}
</tbody></table>
<p><a href="manifest.json">manifest.json</a></p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
