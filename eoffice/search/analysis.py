"""Text analysis for Hindi and English.

Python's `\\w` does not match Devanagari vowel signs or the virama, so Whoosh's stock analyzers cut
Hindi words into fragments (पुलिस comes out as nothing). Ours keeps Devanagari words whole,
normalises every token (NFC, nukta folded, ZWJ/ZWNJ dropped, Devanagari digits as ASCII, lower
case) and keeps file and receipt numbers as exact values in a field of their own.

Phrases: each text also gives its word pairs (shingles, "अर्जित अवकाश"), indexed in a field of
their own, so a two-word phrase is one term and a longer one the intersection of its pairs. The
pairs are made of the normalised words, so the folding is the same for both.

Indexing does not go through Whoosh's token pipeline (a generator and a Token object per word):
`words` finds the tokens with one regular expression call and normalises each distinct spelling
once (memoised). It gives exactly the words the analyzer gives, position for position (the unit
tests hold the two side by side)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from whoosh.analysis import Filter, RegexTokenizer

_WORD = r"[\w\u0900-\u0963\u0966-\u097F\uA8E0-\uA8FF\u200C\u200D]"
TOKEN_PATTERN = rf"{_WORD}+(?:\.{_WORD}+)*"
_FIND = re.compile(TOKEN_PATTERN).findall

NUKTA = "\u093c"
CANDRABINDU, ANUSVARA = "\u0901", "\u0902"
_DROP = {ord(NUKTA): None, 0x200C: None, 0x200D: None}
# जाँच and जांच are one word as people write it: the candrabindu is read as the anusvara
_FOLD = {ord(CANDRABINDU): ANUSVARA}
_DIGITS = {0x0966 + i: ord("0") + i for i in range(10)}
PAIR_SEP = " "  # never inside a word: a pair term cannot be mistaken for a word


def normalise(text: str) -> str:
    """One spelling for matching: फ़ाइल and फाइल, जाँच and जांच, २०२६ and 2026, Police and
    police."""
    text = unicodedata.normalize("NFD", text).translate(_DROP).translate(_DIGITS).translate(_FOLD)
    return unicodedata.normalize("NFC", text).lower()


_SPELLINGS: dict[str, str] = {}
_SPELLINGS_MAX = 500_000  # distinct spellings remembered (a district's vocabulary fits easily)


def words(text: str) -> list[str]:
    """The normalised words of a text, in order: what `text_analyzer` gives, as strings."""
    known = _SPELLINGS
    found = _FIND(text)
    try:
        return [known[w] for w in found]
    except KeyError:
        pass
    if len(known) > _SPELLINGS_MAX:
        known.clear()
    out = []
    for w in found:
        n = known.get(w)
        if n is None:
            n = known[w] = normalise(w)
        out.append(n)
    return out


def pairs_of(seq: list[str]) -> list[str]:
    """Adjacent word pairs: पुलिस अधीक्षक कार्यालय -> [पुलिस अधीक्षक, अधीक्षक कार्यालय]."""
    return [a + PAIR_SEP + b for a, b in zip(seq, seq[1:], strict=False)]


# the same text goes to a words field and then to its pairs field (Whoosh writes the fields of
# a document one after the other): the words are found once
_last: tuple[str, list[str]] | None = None


def cached_words(text: str) -> list[str]:
    global _last
    last = _last
    if last is not None and last[0] is text:
        return last[1]
    found = words(text)
    _last = (text, found)
    return found


class NormaliseFilter(Filter):
    """Normalises each token's text; positions and character offsets stay those of the source,
    so highlights built from the database text land in the right place."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = normalise(t.text)
            yield t


class PairFilter(Filter):
    """Word pairs: each word after the first gives "previous word" + " " + "word"."""

    def __call__(self, tokens) -> Iterator:
        previous = None
        for t in tokens:
            text = t.text
            if previous is not None:
                t.text = previous + PAIR_SEP + text
                yield t  # whoosh reuses one token: the consumer reads it before the next
                t.text = text
            previous = text


def text_analyzer():
    return RegexTokenizer(TOKEN_PATTERN) | NormaliseFilter()


def pair_analyzer():
    return RegexTokenizer(TOKEN_PATTERN) | NormaliseFilter() | PairFilter()


def exact_analyzer():
    """File, receipt, letter and dispatch numbers: each whitespace-separated value is one token
    (11/3/2026-estt), so a receipt's own number and the sender's letter number both match."""
    return RegexTokenizer(r"\S+") | NormaliseFilter()
