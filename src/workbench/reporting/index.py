"""The landing page of ``reports/``: every report with its parameters and run time.

Reports that failed in a ``--keep-going`` build (the manifest's ``failed``) are listed too,
marked failed, with the error and no link. Everything shown is escaped.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from workbench.reporting.messages import text
from workbench.study import Study


def write_index(path: Path, study: Study, manifest: dict[str, Any], titles: dict[str, dict[str, str]]) -> Path:
    """Write ``index.html`` (self-contained, no script, no network) and return its path."""
    language = manifest["parameters"].get("language", "en")
    built = manifest["built"].replace("T", " ")
    rows = []
    for run in manifest["notebooks"]:
        title = titles.get(Path(run["notebook"]).stem, {}).get(language, run["name"])
        edition = run["name"][len(Path(run["notebook"]).stem):].strip("_").replace("-", " ")
        label = f"{title} ({edition})" if edition else title
        shown = {k: v for k, v in run["parameters"].items() if k != "study"}
        params = ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))
        extras = " ".join(f'<a class="extra" href="{html.escape(f)}">{html.escape(Path(f).suffix.lstrip(".").upper())}'
                          f'{" (" + html.escape(f[len(run["name"]):].strip("_.").rsplit(".", 1)[0]) + ")" if f.endswith(".xlsx") else ""}</a>'
                          for f in run.get("outputs", []) if not f.endswith(".html"))
        rows.append((run["name"], f'<tr><td><a href="{html.escape(run["name"])}.html">{html.escape(label)}</a> {extras}</td>'
                                  f"<td>{html.escape(params)}</td><td>{run['seconds']:.1f} s</td></tr>"))
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
<title>{html.escape(text("index_title", language))}: {html.escape(study.title)}</title>
<style>
body {{ font-family: 'Segoe UI', Roboto, Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }}
.banner {{ background: #fff3cd; border: 1px solid #e0c36a; padding: 0.6em 1em; font-weight: 600; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 0.4em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }}
td:nth-child(2) {{ color: #555; font-size: 0.9em; }}
a.extra {{ font-size: 0.8em; margin-left: 0.4em; color: #555; }}
strong.failed {{ color: #b00020; }}
span.error {{ color: #555; font-size: 0.85em; }}
</style></head>
<body>
<h1>{html.escape(text("index_title", language))}: {html.escape(study.title)}</h1>
{banner}
<p>{html.escape(text("index_intro", language, built=built, study=study.root.name))}</p>
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
