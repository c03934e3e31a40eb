"""Text analysis for Hindi and English.

Python's `\\w` does not match Devanagari vowel signs or the virama, so Whoosh's stock analyzers cut
Hindi words into fragments (पुलिस comes out as nothing). Ours keeps Devanagari words whole,
normalises every token (NFC, nukta folded, ZWJ/ZWNJ dropped, Devanagari digits as ASCII, lower
case) and keeps file and receipt numbers as exact values in a field of their own.
"""

from __future__ import annotations

import unicodedata

from whoosh.analysis import Filter, RegexTokenizer

_WORD = r"[\w\u0900-\u0963\u0966-\u097F\uA8E0-\uA8FF\u200C\u200D]"
TOKEN_PATTERN = rf"{_WORD}+(?:\.{_WORD}+)*"

NUKTA = "\u093c"
CANDRABINDU, ANUSVARA = "\u0901", "\u0902"
_DROP = {ord(NUKTA): None, 0x200C: None, 0x200D: None}
# जाँच and जांच are one word as people write it: the candrabindu is read as the anusvara
_FOLD = {ord(CANDRABINDU): ANUSVARA}
_DIGITS = {0x0966 + i: ord("0") + i for i in range(10)}


def normalise(text: str) -> str:
    """One spelling for matching: फ़ाइल and फाइल, जाँच and जांच, २०२६ and 2026, Police and
    police."""
    text = unicodedata.normalize("NFD", text).translate(_DROP).translate(_DIGITS).translate(_FOLD)
    return unicodedata.normalize("NFC", text).lower()


class NormaliseFilter(Filter):
    """Normalises each token's text; positions and character offsets stay those of the source,
    so highlights built from the database text land in the right place."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = normalise(t.text)
            yield t


def text_analyzer():
    return RegexTokenizer(TOKEN_PATTERN) | NormaliseFilter()


def exact_analyzer():
    """File, receipt, letter and dispatch numbers: each whitespace-separated value is one token
    (11/3/2026-estt), so a receipt's own number and the sender's letter number both match."""
    return RegexTokenizer(r"\S+") | NormaliseFilter()
