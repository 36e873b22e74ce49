"""The seeded synthetic demo study: one generator per dataset kind, one ``study.yaml``.

Real data of this kind is confidential, so the project ships a generated study of the same
shape. Each generator gets its own random stream derived from the study seed and the
generator's name, so adding a generator never changes the data of the others; the same seed
gives byte-identical files. Every file says that it is synthetic.
"""

from __future__ import annotations

import importlib
import shutil
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np
import yaml

from workbench.disclosure import DEFAULT_MIN_CELL
from workbench.errors import WorkbenchError
from workbench.synthetic.kyrgyz_regions import study_entries

DEFAULT_SEED = 20261122
#: (dataset kind, module, function); each function is ``write_x(study_dir, rng) -> entries``
GENERATORS: list[tuple[str, str, str]] = [
    ("survey", "workbench.synthetic.survey", "write_survey"),
    ("feasibility", "workbench.synthetic.feasibility", "write_feasibility"),
    ("programme", "workbench.synthetic.programme", "write_programme"),
    ("qualitative", "workbench.synthetic.qualitative", "write_qualitative"),
    ("risk", "workbench.synthetic.risk", "write_risk"),
    ("register", "workbench.synthetic.programme", "write_register"),  # after risk: it holds the caseload's people
    ("mixed", "workbench.synthetic.mixed", "write_mixed"),
]
#: the demo's own report wording (the notebooks themselves are topic-neutral, issue 15)
DEMO_REPORTS: dict[str, Any] = {
    "01_public_attitudes": {
        "title": {"en": "Public attitudes towards the reintegration of former prisoners and returnees",
                  "ru": "Общественное мнение о реинтеграции бывших заключённых и вернувшихся"},
        "intro": {
            "en": "This report estimates how the adult population views the groups the survey asks about (people "
                  "leaving prison, people serving sentences in the community, people released on parole and citizens "
                  "returning from conflict zones): how far people accept them, how close they would let them come, "
                  "which population groups differ, and which characteristics go with more accepting views. Every "
                  "figure is a weighted estimate with a 95% confidence interval that takes the sample design into "
                  "account.",
            "ru": "В этом отчёте оценивается, как взрослое население относится к группам, о которых спрашивается в "
                  "опросе (люди, освободившиеся из мест лишения свободы, люди на пробации, условно-досрочно "
                  "освобождённые и граждане, вернувшиеся из зон конфликтов): насколько их принимают, насколько близко "
                  "готовы подпустить, какие группы населения различаются во мнениях и какие характеристики связаны с "
                  "более терпимыми взглядами. Каждая цифра — взвешенная оценка с 95-процентным доверительным "
                  "интервалом, учитывающим дизайн выборки."},
    },
    # the figure the programme's results report published ("95% of them showed increased
    # understanding of classification"); report 07 compares its recomputed share with it
    "07_programme_monitoring": {
        "published": {"share_improved": 0.95},
    },
}
#: each dataset's description in Russian (study.yaml ``description: {en, ru}``); the English
#: text stays next to the generator that writes the dataset
DESCRIPTIONS_RU: dict[str, str] = {
    "electronic_monitoring_parameters": "Параметры модели целесообразности электронного мониторинга (открытые "
                                        "данные и заявленные допущения)",
    "joint_display": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: какие показатели опроса и качественные коды относятся к каждому "
                     "препятствию, фактору поддержки и стратегии сообщества (сводные таблицы качественных и "
                     "количественных данных)",
    "offices": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: офисы пробации (34 в 9 регионах) и пилот внешнего мониторинга",
    "probation_clients": "Клиенты пробации с периодом наблюдения и первым исходом (синтетические данные)",
    "probation_offices": "Офисы пробации и обученные в них сотрудники (синтетические данные)",
    "qual_cases": "Участники демонстрационного качественного исследования и их характеристики "
                  "(синтетические данные)",
    "qual_codes": "Кодовая книга демонстрационного качественного исследования: препятствия, факторы поддержки, "
                  "стратегии сообщества",
    "qual_documents": "Расшифровки демонстрационного качественного исследования: 40 интервью с ключевыми "
                      "информантами, 15 экспертных интервью, 8 фокус-групп (синтетические данные)",
    "qual_people": "Имена людей и названия мест в исходных демонстрационных расшифровках, для обезличивания",
    "qual_segments": "Закодированные фрагменты: кодировщик R1 по всем документам, R2 по 20 % "
                     "(синтетические данные)",
    "qual_stakeholder_mentions": "Заинтересованные стороны, названные в репликах участников фокус-групп "
                                 "(синтетические данные)",
    "qual_stakeholders": "Заинтересованные стороны в сообществах: влияние, интерес и позиция "
                         "(синтетические данные)",
    "qual_transcripts": "Расшифровки в кодировке UTF-8 (синтетические данные), по одной на документ; смещения "
                        "считаются в кодовых точках от первого символа файла",
    "qual_turns": "Реплики всех расшифровок со смещениями в кодовых точках (синтетические данные)",
    "recommendations": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: демонстрационные рекомендации, каждая связана со строками "
                       "сводной таблицы данных",
    "reentry_centre_parameters": "Параметры модели целесообразности ресурсного центра реинтеграции (открытые "
                                 "данные и заявленные допущения)",
    "risk_assessments": "Первичные оценки и переоценки раз в полгода демонстрационным инструментом "
                        "(синтетические данные)",
    "risk_second_ratings": "Оценка второго сотрудника по подвыборке первичных оценок (синтетические данные)",
    "risk_supervision": "Периоды надзора и их интенсивность (синтетические данные)",
    "supervision_reviews": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: проверки личных дел и посещений по контрольному списку, "
                           "внутренние и внешние",
    "survey": "Демонстрационный опрос об отношении населения: 1001 взрослый, стратифицированная двухступенчатая "
              "выборка с вероятностью, пропорциональной размеру (синтетические данные; истинные значения в "
              "data/survey_truth.yaml)",
    "survey_population_margins": "Распределение взрослого населения (регион × пол × возрастная группа; регион × "
                                 "город/село) для взвешивания демонстрационного опроса, с источниками",
    "training_participants": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: 15 национальных тренеров и 88 обученных ими сотрудников",
    "training_tests": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: тесты знаний до и после обучения классификации, по заданиям",
    "ve_register": "СИНТЕТИЧЕСКИЕ ДАННЫЕ: реестр дел о насильственном экстремизме и терроризме, 2012–2024",
}
README = """SYNTHETIC DEMO STUDY - generated by `workbench demo` (seed {seed}).
Every file in this folder is generated data of the same shape as the reference study.
No record describes a real person. Do not cite any figure from it as a finding.
"""


def generator_rng(seed: int, kind: str) -> np.random.Generator:
    """The random stream of one generator: stable across versions that add generators."""
    return np.random.default_rng([seed, zlib.crc32(kind.encode())])


def _generator(module: str, function: str) -> Callable[..., dict[str, Any]]:
    return getattr(importlib.import_module(module), function)


def write_demo_study(folder: str | Path, seed: int = DEFAULT_SEED, overwrite: bool = False) -> Path:
    """Write the demo study into ``folder`` (created); return the folder."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        if not overwrite:
            raise WorkbenchError("the folder is not empty", file=str(folder),
                                 expected="an empty or new folder (or --force to replace a demo study)")
        if not (folder / "study.yaml").exists():
            raise WorkbenchError("refusing to replace a folder that is not a study", file=str(folder))
        shutil.rmtree(folder)
    (folder / "data").mkdir(parents=True)
    datasets: dict[str, Any] = {}
    for kind, module, function in GENERATORS:
        entries = _generator(module, function)(folder, generator_rng(seed, kind))
        datasets.update(entries)
    for name, entry in datasets.items():
        if name in DESCRIPTIONS_RU and isinstance(entry.get("description"), str):
            entry["description"] = {"en": entry["description"], "ru": DESCRIPTIONS_RU[name]}
    spec = {
        "title": {"en": "Demo study (synthetic): reintegration of violent-extremist offenders and returnees",
                  "ru": "Демонстрационное исследование (синтетические данные): реинтеграция осуждённых "
                        "за насильственный экстремизм и возвращенцев"},
        "synthetic": True,
        "seed": seed,
        "regions": study_entries(),
        "parameters": {"region": None, "min_cell": DEFAULT_MIN_CELL, "language": "en"},
        "reports": DEMO_REPORTS,
        "datasets": {name: datasets[name] for name in sorted(datasets)},
    }
    header = "# SYNTHETIC DEMO STUDY - generated by workbench demo; not real people\n"
    (folder / "study.yaml").write_text(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                                       encoding="utf-8")
    (folder / "README.txt").write_text(README.format(seed=seed), encoding="utf-8")
    return folder
