"""The analyzer on real Hindi: what the stock analyzer loses, ours keeps."""

import unicodedata

import pytest
from whoosh.analysis import StandardAnalyzer

from eoffice.search.analysis import exact_analyzer, normalise, text_analyzer


def tokens(analyzer, text):
    return [t.text for t in analyzer(text)]


@pytest.mark.parametrize("word", ["पुलिस", "शिकायत", "सिटीजन", "थानाध्यक्ष", "क्षेत्राधिकारी"])
def test_stock_analyzer_breaks_hindi_words_ours_keeps_them(word):
    assert word not in tokens(StandardAnalyzer(), word)  # the failure this analyzer exists for
    assert tokens(text_analyzer(), word) == [word]


def test_a_real_sentence():
    sentence = "थाना कोतवाली, कन्नौज में दिनांक 12.03.2026 को साइकिल चोरी की शिकायत दर्ज हुई।"
    assert tokens(text_analyzer(), sentence) == [
        "थाना",
        "कोतवाली",
        "कन्नौज",
        "में",
        "दिनांक",
        "12.03.2026",
        "को",
        "साइकिल",
        "चोरी",
        "की",
        "शिकायत",
        "दर्ज",
        "हुई",
    ]


def test_nukta_spellings_become_one():
    precomposed = "\u095eाइल"  # फ़ as one code point
    combining = "\u092b\u093cाइल"  # फ + nukta
    plain = "फाइल"
    assert {normalise(precomposed), normalise(combining), normalise(plain)} == {plain}
    assert tokens(text_analyzer(), "ज़िला") == tokens(text_analyzer(), "जिला")


def test_nfc_and_nfd_input_alike():
    word = "क़ानून"
    nfd = unicodedata.normalize("NFD", word)
    assert tokens(text_analyzer(), nfd) == tokens(text_analyzer(), word)


def test_zero_width_joiners_and_devanagari_digits():
    assert tokens(text_analyzer(), "क्\u200dष") == tokens(text_analyzer(), "क्ष")
    assert tokens(text_analyzer(), "२०२६") == ["2026"]


def test_english_is_lower_cased():
    assert tokens(text_analyzer(), "Police Station KOTWALI") == ["police", "station", "kotwali"]


def test_numbers_stay_whole_in_the_exact_field():
    assert tokens(exact_analyzer(), "11/3/2026-Estt") == ["11/3/2026-estt"]
    assert tokens(exact_analyzer(), "R/2026/000123") == ["r/2026/000123"]


def test_highlight_offsets_point_into_the_source_text():
    text = "शिकायतकर्ता की फ़ाइल प्रस्तुत"
    # whoosh reuses one token object: copy out what each one says
    toks = [(t.text, t.startchar, t.endchar) for t in text_analyzer()(text, chars=True)]
    word, start, end = toks[2]
    assert word == "फाइल"
    assert text[start:end] == "फ़ाइल"


def test_candrabindu_and_anusvara_spellings_match():
    from eoffice.search.analysis import normalise

    assert normalise("जाँच") == normalise("जांच")
    assert normalise("पाँच") == normalise("पांच")
    assert normalise("हँसी") != normalise("हसी")  # folding, not dropping
