"""Quote bank and personal-data scrubbing on a hand-made corpus with planted personal data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.qualitative.quotes import (
    PersonalDataScrubber,
    find_personal_data,
    quote_bank,
    scrub_personal_data,
    shorten,
)

PEOPLE = pd.DataFrame(
    {
        "name": ["Айбек Токтогулов", "Гульнара Садыкова", "Nurlan Asanov", "Кара-Суу", "Kara-Balta"],
        "kind": ["person", "person", "person", "place", "place"],
    }
)

KII_1 = (
    "Меня зовут Бакыт Мамытов. Когда я вернулся в Кара-Суу, Айбеку Токтогулову я позвонил "
    "по номеру +996 555 123 456. Семья меня поддержала, отец помог найти работу на рынке. "
    "Мой ИНН 21203199000123, паспорт AN1234567."
)
KII_2 = (
    "After release I lived in Kara-Balta with my uncle Nurlan. Call me at 0555 123456 or "
    "0 (312) 62-45-78. My family supported me and the imam talked to me every week about "
    "returning to a normal life with my family."
)
FGD = (
    "P1: Гульнаре Садыковой я сказала, что семья главная поддержка для тех, кто вернулся. "
    "Мой номер 0700 12 34 56.\n"
    "P2: Соседи боятся, но аксакалы помогают семьям вернувшихся, мой паспорт ID 7654321, "
    "пишите на bakyt.m@mail.kg.\n"
)
PLANTED = [
    "Бакыт", "Мамытов", "Кара-Суу", "Айбек", "Токтогулов", "Kara-Balta", "Nurlan", "Гульнар",
    "Садыков", "555 123 456", "0555 123456", "62-45-78", "21203199000123", "AN1234567",
    "0700 12 34 56", "7654321", "bakyt.m@mail.kg",
]


def build_corpus() -> dict[str, pd.DataFrame]:
    documents = pd.DataFrame(
        {
            "doc_id": ["K1", "K2", "F1"],
            "name": ["kii 1", "kii 2", "fgd 1"],
            "text": [KII_1, KII_2, FGD],
            "doc_type": ["KII", "KII", "FGD"],
            "case_id": ["C1", "C2", None],
            "interviewer": ["Асель Исаева", "Асель Исаева", "Асель Исаева"],
        }
    )
    cases = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "P1", "P2"],
            "name": ["Бакыт Мамытов", "Азамат Жумабаев", "Жылдыз Осмонова", "Эрлан Бекбоев"],
            "respondent_group": ["returnee", "returnee", "community", "community"],
        }
    )
    p2 = FGD.index("P2:")
    turns = pd.DataFrame(
        {
            "doc_id": ["F1", "F1"],
            "turn_id": ["F1-1", "F1-2"],
            "speaker": ["P1", "P2"],
            "start": [0, p2],
            "end": [p2, len(FGD)],
            "case_id": ["P1", "P2"],
        }
    )
    cut = KII_1.index("Токтогулову") + 4  # a segment that starts inside a surname
    segments = pd.DataFrame(
        [
            ("s1", "K1", 0, len(KII_1), "FAM", "accepted"),
            ("s2", "K1", cut, KII_1.index("Семья"), "CONTACT", "accepted"),
            ("s3", "K2", 0, len(KII_2), "FAM", "accepted"),
            ("s4", "F1", 0, len(FGD), "FAM", "accepted"),  # spans both speakers
            ("s5", "F1", FGD.index("Соседи"), len(FGD), "COMMUNITY", "accepted"),
        ],
        columns=["segment_id", "doc_id", "start", "end", "code_id", "status"],
    )
    codes = pd.DataFrame(
        {"code_id": ["FAM", "CONTACT", "COMMUNITY"], "name": ["Family", "Contacts", "Community"], "parent_id": [None] * 3}
    )
    return {"documents": documents, "cases": cases, "turns": turns, "segments": segments, "codes": codes}


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("звоните +996 555 123 456 вечером", "phone", "+996 555 123 456"),
        ("номер 0555 123456.", "phone", "0555 123456"),
        ("тел. 0 (312) 62-45-78", "phone", "0 (312) 62-45-78"),
        ("call 996700123456 now", "phone", "996700123456"),
        ("мобильный 555 12 34 56", "phone", "555 12 34 56"),
        ("ПИН 21203199000123", "pin", "21203199000123"),
        ("паспорт AN1234567 выдан", "passport", "AN1234567"),
        ("карта ID 7654321", "passport", "ID 7654321"),
        ("паспорт № 1234567", "passport", "№ 1234567"),  # the word "паспорт" is kept
        ("mail bakyt.m@mail.kg", "email", "bakyt.m@mail.kg"),
        ("я говорил с Айбеком вчера", "person", "Айбеком"),
        ("к Гульнаре Садыковой", "person", "Гульнаре Садыковой"),
        ("жил в Кара-Суу", "place", "Кара-Суу"),
        ("moved to Kara-Balta last year", "place", "Kara-Balta"),
        ("Ask NURLAN about it", "person", "NURLAN"),
    ],
)
def test_find_personal_data(text: str, kind: str, found: str) -> None:
    matches = find_personal_data(text, PEOPLE)
    assert [(m.kind, m.text) for m in matches] == [(kind, found)]
    match = matches[0]
    assert text[match.start : match.end] == found


def test_ordinary_numbers_and_words_stay() -> None:
    text = "В 2019 году было 35 участников, 12 из них из села; программа длилась 6 месяцев."
    assert find_personal_data(text, PEOPLE) == []
    assert scrub_personal_data(text, PEOPLE) == text


def test_scrub_replaces_everything() -> None:
    scrubbed = scrub_personal_data(KII_1, PEOPLE)
    for planted in ["Кара-Суу", "Айбеку", "Токтогулову", "555 123 456", "21203199000123", "AN1234567"]:
        assert planted not in scrubbed
    assert "[PLACE]" in scrubbed and "[PHONE]" in scrubbed and "[PIN]" in scrubbed and "[PASSPORT]" in scrubbed
    assert find_personal_data(scrubbed, PEOPLE) == []
    # names outside the people list are not known to the scrubber on its own ...
    assert "Бакыт" in scrubbed
    # ... but whole names (case names) can be added
    assert "Бакыт" not in PersonalDataScrubber(PEOPLE, whole_names=["Бакыт Мамытов"]).scrub(KII_1)


def test_quote_bank_carries_no_personal_data() -> None:
    corpus = build_corpus()
    bank = quote_bank(
        corpus["segments"], corpus["documents"], PEOPLE, cases=corpus["cases"], turns=corpus["turns"],
        codes=corpus["codes"], by="respondent_group", per_group=5, min_chars=20, max_chars=400,
    )
    assert len(bank) >= 4
    all_names = pd.concat(
        [PEOPLE, pd.DataFrame({"name": corpus["cases"]["name"], "kind": "person"}),
         pd.DataFrame({"name": ["Асель Исаева"], "kind": ["person"]})],
        ignore_index=True,
    )
    for text in pd.concat([bank["quote"], bank["attribution"]]):
        assert find_personal_data(text, all_names) == [], text
        for planted in PLANTED:
            assert planted.lower() not in text.lower(), (planted, text)
        assert not re.search(r"\d{3}", text), text  # no phone / PIN / passport digits left
    # attributions use pseudonyms: case pseudonyms R.. for interviews, speaker labels in FGDs
    assert set(bank["participant"]) <= {"R01", "R02", "P1", "P2"}
    assert not bank["attribution"].str.contains("Бакыт|Азамат|Жылдыз|Эрлан").any()


def test_quote_bank_selection_rules() -> None:
    corpus = build_corpus()
    bank = quote_bank(
        corpus["segments"], corpus["documents"], PEOPLE, cases=corpus["cases"], turns=corpus["turns"],
        codes=corpus["codes"], by="respondent_group", per_group=1, min_chars=20, max_chars=120,
    )
    # one quote per code and group
    assert not bank.duplicated(["code_id", "group"]).any()
    assert (bank["quote"].str.len() <= 120).all()
    assert set(bank["code_name"]) <= {"Family", "Contacts", "Community"}
    # the FGD family segment spans two speakers: each candidate is one speaker's part
    wide = quote_bank(
        corpus["segments"], corpus["documents"], PEOPLE, cases=corpus["cases"], turns=corpus["turns"],
        by="respondent_group", per_group=5, min_chars=20, max_chars=400,
    )
    community_family = wide[(wide["code_id"] == "FAM") & (wide["group"] == "community")]
    assert sorted(community_family["participant"]) == ["P1", "P2"]
    quotes = community_family.set_index("participant")["quote"]
    assert "Соседи" not in quotes["P1"] and "семья главная" not in quotes["P2"]
    assert not quotes.str.startswith(("P1:", "P2:")).any()  # speaker labels dropped
    # the segment starting inside a surname was widened to the whole word and scrubbed
    contact = wide[wide["code_id"] == "CONTACT"]["quote"].item()
    assert contact.startswith("[PERSON]")


def test_representative_quote_is_chosen() -> None:
    texts = [
        "Family support helped me find work after prison, my family stood by me.",
        "My family supported me and helped me find work when I came back from prison.",
        "The weather in the mountains was cold and the road was long and empty.",
    ]
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": texts, "doc_type": "KII", "case_id": ["c1", "c2", "c3"]})
    segments = pd.DataFrame(
        {"segment_id": ["1", "2", "3"], "doc_id": ["a", "b", "c"], "start": 0, "end": [len(t) for t in texts], "code_id": "FAM"}
    )
    bank = quote_bank(segments, documents, None, per_group=3)
    assert bank["quote"].iloc[-1] == texts[2]  # the off-topic excerpt ranks last
    assert bank["rank"].tolist() == [1, 2, 3]
    top = quote_bank(segments, documents, None, per_group=1)
    assert top["quote"].item() in texts[:2]
    # the same words from another participant are not repeated in the bank
    repeated = pd.concat(
        [documents, pd.DataFrame({"doc_id": ["d"], "text": [texts[0]], "doc_type": ["KII"], "case_id": ["c4"]})]
    )
    more = pd.concat(
        [segments, pd.DataFrame({"segment_id": ["4"], "doc_id": ["d"], "start": [0], "end": [len(texts[0])], "code_id": ["FAM"]})]
    )
    assert len(quote_bank(more, repeated, None, per_group=4)) == 3


def test_shorten() -> None:
    text = "One short sentence. Another sentence that is longer than the limit allows here."
    assert shorten(text, 30) == "One short sentence."
    assert shorten("word " * 20, 22).endswith("…")
    assert len(shorten("word " * 20, 22)) <= 22
    with pytest.raises(WorkbenchError):
        quote_bank(build_corpus()["segments"], build_corpus()["documents"], PEOPLE, max_chars=5)
