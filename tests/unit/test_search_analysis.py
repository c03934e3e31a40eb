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


# --- the words as indexing finds them, the word pairs, the writer ------------------------------

SAMPLES = [
    "थाना कोतवाली, कन्नौज में दिनांक 12.03.2026 को साइकिल चोरी की शिकायत दर्ज हुई।",
    "शिकायतकर्ता की फ़ाइल प्रस्तुत; जाँच और जांच, ज़िला/जिला, २०२६",
    "Police Station KOTWALI: charge-sheet No. 45/2026 filed; x.y.z",
    "क्\u200dष \u200d a\u0301 café caf\u00e9 \u092b\u093cाइल",
    "",
    "   ",
    "एक",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_indexing_finds_the_analyzers_words(text):
    from eoffice.search.analysis import words

    assert words(text) == tokens(text_analyzer(), text)
    assert words(text) == tokens(text_analyzer(), text)  # the remembered spellings too


def test_word_pairs_are_adjacent_normalised_words():
    from eoffice.search.analysis import pair_analyzer, pairs_of, words

    text = "पुलिस अधीक्षक ज़िला कार्यालय"
    assert tokens(pair_analyzer(), text) == [
        "पुलिस अधीक्षक",
        "अधीक्षक जिला",
        "जिला कार्यालय",
    ]
    assert pairs_of(words(text)) == tokens(pair_analyzer(), text)
    assert tokens(pair_analyzer(), "एक") == []


@pytest.mark.parametrize("text", SAMPLES)
def test_fields_index_what_whoosh_would(text):
    """The fast path of the words and pairs fields gives Whoosh's own terms, frequencies,
    weights and encoded positions."""
    from eoffice.search.schema import make_schema

    schema = make_schema()
    for name in ("title", "body", "tpairs", "bpairs"):
        field = schema[name]
        whoosh = field.format.word_values(text, field.analyzer, mode="index")
        assert sorted(field.index(text)) == sorted((w.encode(), f, wt, v) for w, f, wt, v in whoosh)


@pytest.mark.once
def test_our_writer_writes_the_index_whooshs_writer_writes(tmp_path):
    from whoosh import index as whoosh_index

    from eoffice.search.index import writer
    from eoffice.search.schema import make_schema

    docs = [
        {
            "doc_id": f"note:{i}",
            "kind": "note",
            "obj_id": i,
            "file_id": i % 3 + 1,
            "c_office": i % 4,
            "c_file": i % 3 + 1,
            "c_kind": 2,
            "at": 10**12 + i,
            "number": f"{i}/2026-Estt",
            "title": SAMPLES[i % len(SAMPLES)] or "शीर्षक",
            "tpairs": SAMPLES[i % len(SAMPLES)] or "शीर्षक",
            "body": " ".join(SAMPLES[: i % len(SAMPLES) + 1]) * (1 + i % 3),
            "bpairs": " ".join(SAMPLES[: i % len(SAMPLES) + 1]) * (1 + i % 3),
        }
        for i in range(300)
    ]

    def build(folder, make):
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), make_schema())
        w = make(ix)
        for doc in docs:
            w.add_document(**doc)
        w.commit()
        ix = whoosh_index.open_dir(str(folder))
        with ix.reader() as r:
            postings = []
            for fieldname, text in r.all_terms():
                kind = (
                    "positions" if r.postings(fieldname, text).supports("positions") else "weight"
                )
                weights = list(r.postings(fieldname, text).items_as("weight"))
                values = list(r.postings(fieldname, text).items_as(kind))
                postings.append((fieldname, text, weights, values))
            lengths = [
                r.doc_field_length(d, f) for d in range(r.doc_count_all()) for f in make_schema()
            ]
            columns = {c: list(r.column_reader(c)) for c in ("c_office", "c_file", "at")}
            return postings, list(r.all_stored_fields()), lengths, columns

    ours = build(tmp_path / "ours", lambda ix: writer(ix, limitmb=1))
    whooshs = build(tmp_path / "whoosh", lambda ix: ix.writer(limitmb=1))
    assert ours == whooshs
