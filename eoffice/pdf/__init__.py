"""PDFs with WeasyPrint: `render` turns templates/pdf/ into HTML and HTML into PDF with a
locked-down URL fetcher (`fetcher`). The documents themselves belong to their modules: the
docket to files, letters to notings, acknowledgements to receipts."""
