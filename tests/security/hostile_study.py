"""A demo study whose text from data is hostile: markup, script-closing tags, Markdown links and
images, and strings a spreadsheet would read as formulas, placed in the study title, the survey
dictionary's labels (battery = group labels, question labels, answer and region labels), the
code names, the stakeholder names, the quoted transcript text and the joint-display mapping
(barrier labels, compared groups).

Each hostile string is put in front of the original text (so that labels stay distinct and the
analyses run unchanged); transcript text is overwritten in place with strings of the same
length, so that every code-point offset of segments and turns still holds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from workbench.synthetic.demo import write_demo_study

ROOT = Path(__file__).resolve().parents[2]
#: markup and Markdown that must show as text; the number 1337 marks every payload
SCRIPTS = [
    "<script>alert(1337)</script>",
    "<img src=x onerror=alert(1337)>",
    "[x](javascript:alert(1337))",
    "</script><script>alert(1337)</script>",
    "<svg onload=alert(1337)>",
    "![t](https://tracker.example/1337.png)",
    "<a href='javascript:alert(1337)'>1337</a>",
    "**1337** _1337_",
]
#: strings that a spreadsheet would read as formulas (OWASP): each must stay text
FORMULAS = [
    '=HYPERLINK("https://evil.example/1337","click")',
    "+cmd|' /C calc'!A0 1337",
    "-1+1 1337",
    "@SUM(A1) 1337",
    "\t=1337+1",
    "\r=1337+1",
]
HOSTILE = SCRIPTS + FORMULAS
#: Markdown emphasis: shown as written, it never becomes a <strong> or <em> of its own
EMPHASIS = "**1337** _1337_"
MARKER = "1337"


def _hostile(i: int, original: str) -> str:
    return f"{HOSTILE[i % len(HOSTILE)]} {original}"


def _rewrite_csv(path: Path, column: str, change) -> None:
    """Rewrite one column of a demo CSV (its comment preamble kept), row by row; every value is
    quoted, so that a carriage return inside a value is data, not the end of a line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    preamble = [line for line in lines if line.startswith("#")]
    rows = list(csv.reader(io.StringIO("".join(lines[len(preamble):]))))
    header, body = rows[0], rows[1:]
    at = header.index(column)
    for i, row in enumerate(body):
        if row[at]:
            row[at] = change(i, row[at])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([header, *body])
    path.write_text("".join(preamble) + out.getvalue(), encoding="utf-8")


def _hostile_dictionary(study: Path) -> None:
    """The study's own survey dictionary with hostile English labels everywhere."""
    spec = yaml.safe_load((ROOT / "data_schemas" / "survey.yaml").read_text(encoding="utf-8"))
    count = 0
    for battery in spec.get("batteries", {}).values():  # group labels: Markdown emphasis in each too
        battery["label"]["en"] = f"{EMPHASIS} {_hostile(count, battery['label']['en'])}"
        count += 1
    for variable in spec["variables"]:
        variable["label"]["en"] = _hostile(count, variable["label"]["en"])
        count += 1
        for value in (variable.get("values") or {}).values():
            if isinstance(value, dict) and "en" in value:
                value["en"] = _hostile(count, value["en"])
                count += 1
    folder = study / "data_schemas"
    folder.mkdir(exist_ok=True)
    (folder / "survey.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _hostile_quotes(study: Path) -> None:
    """Overwrite the start of every first coder's segment with a payload of the same length."""
    payloads = [s for s in SCRIPTS if "\n" not in s]
    segments = list(csv.DictReader(line for line in (study / "data/qualitative/segments.csv")
                                   .read_text(encoding="utf-8").splitlines() if not line.startswith("#")))
    texts: dict[str, list[str]] = {}
    for i, segment in enumerate(s for s in segments if s["coder"] == "R1"):
        doc = segment["doc_id"]
        path = study / "data/qualitative/transcripts" / f"{doc}.txt"
        chars = texts.setdefault(doc, list(path.read_text(encoding="utf-8")))
        start, end = int(segment["start"]), int(segment["end"])
        payload = payloads[i % len(payloads)]
        if end - start > len(payload) + 10:
            chars[start:start + len(payload)] = list(payload)
    for doc, chars in texts.items():
        (study / "data/qualitative/transcripts" / f"{doc}.txt").write_text("".join(chars), encoding="utf-8")


def _hostile_mapping(study: Path) -> None:
    """Hostile English labels for the joint-display rows and the compared groups."""
    path = study / "parameters" / "joint_display.yaml"
    text = path.read_text(encoding="utf-8")
    preamble = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    spec = yaml.safe_load(text)
    for i, row in enumerate(spec["rows"]):
        row["label"]["en"] = _hostile(i, row["label"]["en"])
    for i, difference in enumerate(spec.get("differences", [])):
        difference["label"]["en"] = _hostile(2 * i, difference["label"]["en"])
        difference["reference_label"]["en"] = _hostile(2 * i + 1, difference["reference_label"]["en"])
    path.write_text(preamble + yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_hostile_study(folder: Path) -> Path:
    """Write the demo study into ``folder`` and make its text from data hostile."""
    study = write_demo_study(folder)
    spec_path = study / "study.yaml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    hostile_title = "<script>alert(1337)</script> =HYPERLINK(\"x\") [t](javascript:alert(1337)) Demo"
    spec["title"] = {"en": hostile_title, "ru": hostile_title + " (ru)"}  # both report languages
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    _hostile_dictionary(study)
    _rewrite_csv(study / "data/qualitative/codes.csv", "name", _hostile)
    _rewrite_csv(study / "data/qualitative/stakeholders.csv", "name", lambda i, v: _hostile(i + 5, v))
    _hostile_quotes(study)
    _hostile_mapping(study)
    return study
