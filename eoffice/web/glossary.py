"""One set of Hindi words for the pages and the PDFs alike: for each term, the word eoffice
uses, and the variants it does not (a test checks the catalogue and the PDF templates)."""

GLOSSARY = {
    # English term: (the word used, words not used for it)
    "Most Immediate": ("अति तत्काल", ("अति तात्कालिक",)),
    "Immediate": ("तत्काल", ("तात्कालिक",)),
    "open (file)": ("खुली", ("चालू",)),
    "desk": ("डेस्क", ("पटल",)),
    "noting side": ("टिप्पणी भाग", ("टिप्पणी पक्ष",)),
    "file": ("पत्रावली", ()),
    "receipt": ("आवती", ()),
    "note": ("टिप्पणी", ()),
    "draft": ("मसौदा", ()),
}
