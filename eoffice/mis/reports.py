"""The six MIS reports as one table of definitions: how each is computed, its CSV columns, its
chart, and the bilingual labels its PDF prints. The pages, the API, the CSV and the PDF all read
these, so a number is the same wherever it is shown."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from eoffice.mis import queries
from eoffice.mis.charts import Chart, render
from eoffice.mis.queries import AGE_BUCKETS, FLOW_METRICS, SLA_OUTCOMES, Scope


def N_(text: str) -> str:
    """Marks English text for the catalogue; pages translate it when they show it."""
    return text


AGE_COLUMNS = ("age_0_7", "age_8_15", "age_16_30", "age_31_plus")
AGE_LABELS = {
    "0-7": N_("0-7 days"),
    "8-15": N_("8-15 days"),
    "16-30": N_("16-30 days"),
    "31+": N_("31+ days"),
}
HI = {
    "office": "कार्यालय",
    "office_name": "कार्यालय का नाम",
    "desk": "डेस्क",
    "files": "पत्रावलियाँ",
    "receipts": "आवतियाँ",
    "age_0_7": "0-7 दिन",
    "age_8_15": "8-15 दिन",
    "age_16_30": "16-30 दिन",
    "age_31_plus": "31+ दिन",
    "overdue": "समय से अधिक",
    "held_by_office": "धारक कार्यालय",
    "held_by": "धारक डेस्क",
    "month": "माह",
    "created": "सृजित",
    "received": "प्राप्त",
    "sent": "प्रेषित",
    "closed": "बंद",
    "issued": "जारी पत्र",
    "section": "अनुभाग",
    "letters": "पत्र",
    "email": "ई-मेल",
    "post": "डाक",
    "hand": "दस्ती",
    "median_days": "माध्यिका दिन",
    "max_days": "अधिकतम दिन",
    "level": "स्तर",
    "complaints": "शिकायतें",
    "on_time": "समय पर निस्तारित",
    "late": "विलम्ब से निस्तारित",
    "pending": "समय-सीमा में लंबित",
    "compliance": "अनुपालन (प्रतिशत)",
}
EN = {
    "office": N_("Office"),
    "office_name": N_("Office name"),
    "desk": N_("Desk"),
    "files": N_("Files"),
    "receipts": N_("Receipts"),
    "age_0_7": N_("0-7 days"),
    "age_8_15": N_("8-15 days"),
    "age_16_30": N_("16-30 days"),
    "age_31_plus": N_("31+ days"),
    "overdue": N_("Overdue"),
    "held_by_office": N_("Held by office"),
    "held_by": N_("Held by desk"),
    "month": N_("Month"),
    "created": N_("Created"),
    "received": N_("Received"),
    "sent": N_("Sent"),
    "closed": N_("Closed"),
    "issued": N_("Issued"),
    "section": N_("Section"),
    "letters": N_("Letters"),
    "email": N_("E-mail"),
    "post": N_("Post"),
    "hand": N_("By hand"),
    "median_days": N_("Median days held"),
    "max_days": N_("Longest (days)"),
    "level": N_("Level"),
    "complaints": N_("Complaints"),
    "on_time": N_("Answered on time"),
    "late": N_("Answered late"),
    "pending": N_("Pending within time"),
    "compliance": N_("Compliance (per cent)"),
}
LEVEL_HI = {
    "io": "विवेचक",
    "sho": "थानाध्यक्ष",
    "circle": "क्षेत्राधिकारी",
    "district": "जनपद",
    "range": "परिक्षेत्र",
    "zone": "जोन",
}
LEVEL_EN = {
    "io": N_("IO"),
    "sho": N_("SHO"),
    "circle": N_("Circle"),
    "district": N_("District"),
    "range": N_("Range"),
    "zone": N_("Zone"),
}


@dataclass(frozen=True)
class Report:
    name: str
    title: str  # English msgid
    title_hi: str
    compute: Callable[[Session, Scope], dict]
    columns: tuple[str, ...]  # CSV header, in order (the JSON fields, flattened)
    period: bool  # does the period (from, to) apply?
    chart: Callable[[dict, Scope, Callable[[str], str]], Chart]

    def cells(self, row: dict, scope: Scope) -> list:
        out = []
        for col in self.columns:
            if col in AGE_COLUMNS:
                out.append(row["age"][AGE_BUCKETS[AGE_COLUMNS.index(col)]])
            elif col == "office_name":
                office = scope_office(scope, row["office"])
                out.append(office.name_hi or office.name if office else "")
            else:
                value = row.get(col)
                out.append("" if value is None else value)
        return out


def scope_office(scope: Scope, code: str):
    for o in scope.offices.values():
        if o.code == code:
            return o
    return None


def _office_label(scope: Scope, code: str, locale: str) -> str:
    office = scope_office(scope, code)
    return office.display_name(locale) if office is not None else code


def _age_series(rows, t):
    return [(t(AGE_LABELS[b]), [r["age"][b] for r in rows]) for b in AGE_BUCKETS]


def _pendency_chart(data, scope, t, locale="en"):
    rows = [o for o in data["offices"] if o["depth"] <= 1]
    return Chart(
        t(N_("Pending files and receipts by age")),
        [o["office"] for o in rows],
        _age_series(rows, t),
    )


def _others_chart(data, scope, t, locale="en"):
    totals: dict[str, list[int]] = {}
    for r in data["rows"]:
        acc = totals.setdefault(r["held_by"], [0, 0, 0, 0])
        for i, b in enumerate(AGE_BUCKETS):
            acc[i] += r["age"][b]
    top = sorted(totals.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:20]
    return Chart(
        t(N_("Files pending with others, by the desk holding them")),
        [k for k, _v in top],
        [(t(AGE_LABELS[b]), [v[i] for _k, v in top]) for i, b in enumerate(AGE_BUCKETS)],
        horizontal=True,
    )


def _flow_chart(data, scope, t, locale="en"):
    rows = data["rows"]
    return Chart(
        t(N_("Month-wise flow")),
        [r["month"] for r in rows],
        [(t(EN[m]), [r[m] for r in rows]) for m in FLOW_METRICS],
        stacked=False,
    )


def _dispatch_chart(data, scope, t, locale="en"):
    rows = data["rows"]
    return Chart(
        t(N_("Letters issued by section")),
        [f"{r['office']} {r['section'] or '—'}" for r in rows],
        [(t(EN[m]), [r[m] for r in rows]) for m in queries.DISPATCH_MODES],
    )


def _bottleneck_chart(data, scope, t, locale="en"):
    rows = data["rows"][:20]
    return Chart(
        t(N_("Desks by median days held")),
        [r["desk"] for r in rows],
        [(t(EN["median_days"]), [r["median_days"] for r in rows])],
        stacked=False,
        horizontal=True,
    )


def _sla_chart(data, scope, t, locale="en"):
    rows = [r for r in data["rows"] if r["complaints"]] or data["rows"]
    names = LEVEL_HI if locale == "hi" else {k: t(v) for k, v in LEVEL_EN.items()}
    return Chart(
        t(N_("Complaints by level and outcome")),
        [names.get(r["level"], r["level"]) for r in rows],
        [(t(EN[o]), [r[o] for r in rows]) for o in SLA_OUTCOMES],
    )


AGE = AGE_COLUMNS
REPORTS = {
    r.name: r
    for r in (
        Report(
            "pendency",
            N_("Pendency"),
            "लंबित पत्रावलियाँ एवं आवतियाँ",
            queries.pendency,
            ("office", "desk", "files", "receipts", *AGE, "overdue", "office_name"),
            False,
            _pendency_chart,
        ),
        Report(
            "others",
            N_("Pending with others"),
            "अन्य कार्यालयों के पास लंबित",
            queries.pending_with_others,
            ("office", "held_by_office", "held_by", "files", *AGE, "overdue", "office_name"),
            False,
            _others_chart,
        ),
        Report(
            "flow",
            N_("Month-wise flow"),
            "माहवार आवागमन",
            queries.flow,
            ("month", *FLOW_METRICS),
            True,
            _flow_chart,
        ),
        Report(
            "dispatch",
            N_("Dispatch by section"),
            "अनुभागवार प्रेषण",
            queries.dispatch,
            ("office", "section", "letters", *queries.DISPATCH_MODES, "office_name"),
            True,
            _dispatch_chart,
        ),
        Report(
            "bottlenecks",
            N_("Bottlenecks"),
            "अवरोध (डेस्कवार माध्यिका दिन)",
            queries.bottlenecks,
            ("office", "desk", "files", "median_days", "max_days", "overdue", "office_name"),
            False,
            _bottleneck_chart,
        ),
        Report(
            "sla",
            N_("Complaint SLA compliance"),
            "शिकायत समय-सीमा अनुपालन",
            queries.sla,
            ("level", "complaints", *SLA_OUTCOMES, "compliance"),
            True,
            _sla_chart,
        ),
    )
}


def get(name: str) -> Report:
    return REPORTS[name]


def csv_bytes(report: Report, scope: Scope, data: dict) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then read the Hindi names); the header is the
    JSON's field names."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(report.columns)
    for row in data["rows"]:
        writer.writerow([_cell(v) for v in report.cells(row, scope)])
    return out.getvalue().encode("utf-8")


def _cell(value):
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def bilingual(en: str, hi: str) -> str:
    return f"{hi} / {en}"


def pdf_chart(report: Report, scope: Scope, data: dict) -> str:
    """The chart in the PDF: the same drawing, its labels in Hindi and English."""

    def t(text: str) -> str:
        hi = PDF_HI.get(text)
        return bilingual(text, hi) if hi else text

    return render(report.chart(data, scope, t), width=1000, height=440)


PDF_HI = {
    **{EN[k]: HI[k] for k in EN},
    **{AGE_LABELS[b]: f"{b} दिन" for b in AGE_BUCKETS},
    "Pending files and receipts by age": "आयुवार लंबित पत्रावलियाँ एवं आवतियाँ",
    "Files pending with others, by the desk holding them": "अन्य डेस्कों पर लंबित पत्रावलियाँ",
    "Month-wise flow": "माहवार आवागमन",
    "Letters issued by section": "अनुभागवार जारी पत्र",
    "Desks by median days held": "डेस्कवार माध्यिका दिन",
    "Complaints by level and outcome": "स्तरवार शिकायतें",
    **{LEVEL_EN[k]: LEVEL_HI[k] for k in LEVEL_EN},
}


def pdf_bytes(report: Report, scope: Scope, data: dict) -> bytes:
    from eoffice.audit.stamps import Stamp
    from eoffice.pdf.fetcher import LockedFetcher
    from eoffice.pdf.render import html_to_pdf, render_html

    svg = pdf_chart(report, scope, data)
    rows = [report.cells(r, scope) for r in data["rows"]]
    if report.name == "sla":
        for cells in rows:
            cells[0] = bilingual(LEVEL_EN.get(cells[0], cells[0]), LEVEL_HI.get(cells[0], ""))
    html = render_html(
        "mis_report.html",
        report=report,
        scope=scope,
        office=scope.root,
        headers=[bilingual(EN.get(c, c), HI.get(c, c)) for c in report.columns],
        rows=rows,
        chart=svg,
        stamp=Stamp(None, None),
    )
    return html_to_pdf(html, LockedFetcher())


def file_name(report: Report, scope: Scope, ext: str) -> str:
    period = (
        f"{scope.date_from.isoformat()}-{scope.date_to.isoformat()}"
        if report.period
        else scope.as_of.isoformat()
    )
    return f"mis-{report.name}-{scope.root.code}-{period}.{ext}"
