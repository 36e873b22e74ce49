"""What every report notebook does first: theme, offline charts, study, header, tables.

A notebook's first code cell after ``parameters`` is::

    report = start_report(study, region=region, language=language, min_cell=min_cell)

which returns the loaded study, a ``ReportTables`` for suppressed tables and the header
(with the synthetic-data banner when the study is synthetic) ready to display.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import mistune

from workbench.disclosure import DEFAULT_MIN_CELL
from workbench.reporting.figures import FIGURES_SUFFIX, FigureRecorder, activate, active
from workbench.reporting.messages import escape_markdown, fill_markdown, markdown_of, text
from workbench.reporting.render import use_offline_renderer
from workbench.reporting.tables import ReportTables
from workbench.reporting.theme import register_template
from workbench.study import Study


@dataclass
class Report:
    """The context of one report edition."""

    study: Study
    language: str
    region: Any
    min_cell: int
    tables: ReportTables
    output_dir: Path | None = None
    edition: str = ""
    figures: FigureRecorder | None = None
    title: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def synthetic_label(self) -> str:
        """The synthetic-data label in the report language, or "" for real data: the banner
        of the page, the first lines of every workbook sheet."""
        return str(text("synthetic_banner", self.language)) if self.study.synthetic else ""

    def t(self, key: str, **values: Any) -> str:
        """Fixed report text in the report's language (its figures are recorded)."""
        message = text(key, self.language, **values)
        if self.figures is not None:
            self.figures.message(key, message, values)
        return message

    def header(self) -> "Html":
        """Banner (synthetic data) and the parameters line."""
        region = self.region if self.region is not None else text("all_regions", self.language)
        parts = []
        if self.study.synthetic:
            parts.append(f'<p class="wb-banner">{html.escape(text("synthetic_banner", self.language))}</p>')
        parts.append('<p class="wb-params">' + html.escape(text(
            "report_parameters", self.language, study=self.study.title_in(self.language), region=region,
            min_cell=self.min_cell, built=date.today().isoformat())) + "</p>")
        return Html("\n".join(parts))

    def begin(self, title: Any, intro: Any = None) -> None:
        """Show the report's title (also its HTML and PDF title), the header and an intro;
        each is a text or a ``workbench.reports.sections.Text``."""
        from IPython.display import display

        from workbench.reports.sections import Text

        if isinstance(title, Text):
            title = self.t(title.key, **title.values)
        if isinstance(intro, Text):
            intro = self.t(intro.key, **intro.values)
        self.title = str(title)
        self._write_findings()
        display(Html(f"<h1>{html.escape(self.title)}</h1>"), self.header())
        if intro:
            display(markdown(intro))

    def show(self, *sections: Any) -> None:
        """Display report sections (``workbench.reports.sections.Section``) in report order:
        key findings first, methods last (see ``reporting.sections.render``)."""
        from IPython.display import display

        from workbench.reporting.sections import render
        from workbench.reports.sections import in_report_order

        for section in in_report_order(list(sections)):
            for part in render(section, self):
                if part is not None:
                    display(part)

    def record_finding(self, finding: Any, sentence: str, markdown: str | None = None) -> None:
        """Keep a shown key finding for ``<report>.findings.json`` (message key, raw values,
        the sentence as shown, its Markdown with escaped values for the index, the section it
        links to)."""
        from workbench.reporting.figures import _plain

        values = {name: value if isinstance(value, str) else _plain(value) for name, value in finding.values.items()}
        self.findings.append({"key": finding.key, "values": values, "text": sentence,
                              "markdown": markdown if markdown is not None else escape_markdown(sentence),
                              "section": finding.section})
        self._write_findings()

    def _write_findings(self) -> None:
        if self.output_dir is None:
            return
        body = {"report": self.edition, "title": self.title, "language": self.language, "findings": self.findings}
        (Path(self.output_dir) / f"{self.edition}{FINDINGS_SUFFIX}").write_text(
            json.dumps(body, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")

    def annex_path(self) -> Path | None:
        """Where this edition's Excel annex goes (``None`` outside a build)."""
        if self.output_dir is None:
            return None
        return Path(self.output_dir) / f"{self.edition}_tables.xlsx"


FINDINGS_SUFFIX = ".findings.json"


@dataclass
class Html:
    """A bit of HTML that Jupyter displays as such."""

    body: str

    def _repr_html_(self) -> str:
        return self.body


def start_report(study: str | Path, *, region: Any = None, language: str = "en", min_cell: int | None = None,
                 output_dir: str | Path | None = None, edition: str = "") -> Report:
    """Set up charts (theme, offline renderer), load the study, return the report context.

    ``min_cell`` None (a notebook opened by hand) is the study's own setting (study.yaml
    ``parameters: min_cell``), else ``DEFAULT_MIN_CELL``; the build always passes one."""
    register_template()
    use_offline_renderer()
    loaded = Study.load(study)
    if min_cell is None:
        min_cell = loaded.parameters.get("min_cell", DEFAULT_MIN_CELL)
    text("synthetic_banner", language)  # fails early on an unknown language
    folder = Path(output_dir) if output_dir else None
    figures = FigureRecorder(report=edition, path=folder / f"{edition}{FIGURES_SUFFIX}" if folder else None)
    activate(figures)
    return Report(study=loaded, language=language, region=region, min_cell=int(min_cell),
                  tables=ReportTables(min_cell=int(min_cell), language=language, figures=figures),
                  output_dir=folder, edition=edition, figures=figures)


class _ReportMarkdown(mistune.HTMLRenderer):
    """Markdown to HTML for report text: raw HTML is escaped, links and images become text.

    The catalogue's text needs neither links nor images, so none is made: a value that
    slipped in unescaped can then neither run script nor point (or load) anything from
    the network. Headings, emphasis, lists and paragraphs render as usual.
    """

    def __init__(self) -> None:
        super().__init__(escape=True)

    def link(self, text: str, url: str, title: str | None = None) -> str:
        return text

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return text


_RENDER = mistune.create_markdown(renderer=_ReportMarkdown(), plugins=["table", "strikethrough"])


def inline_html(source: str) -> str:
    """One sentence of report Markdown (a message's escaped form) as inline HTML: emphasis
    rendered, raw HTML escaped, no link or image (``_ReportMarkdown``), no paragraph around it."""
    rendered = _RENDER(source).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[len("<p>"):-len("</p>")]
    return rendered


def markdown(body: str | Iterable[str], **values: Any) -> Html:
    """Report Markdown, rendered to HTML here so that text from data shows as text.

    ``body`` is trusted Markdown (catalogue text, headings written in the notebook). A
    filled message (``report.t``) contributes its Markdown form, in which the values are
    escaped; ``values`` fill ``{placeholders}`` of ``body`` the same way, e.g.
    ``markdown("### {name}", name=code_name)``; a list of lines (e.g. ``["- " + t(...)]``)
    is joined line by line, each message keeping its escaped values. Whatever reaches the
    renderer, raw HTML is escaped and no link or image is made (see ``_ReportMarkdown``).
    """
    lines = [body] if isinstance(body, str) else list(body)
    if values:
        plain, source = str(body).format(**values), fill_markdown(str(body), **values)
    else:
        plain, source = "\n".join(map(str, lines)), "\n".join(markdown_of(line) for line in lines)
    if active() is not None:  # a heading starts a section of the recorded figures
        active().heading(plain)
    return Html(_RENDER(source))
