"""The portal's reports as kinds (lost reports, security requests, events: who sees one), their
actions, pages and API (with Open311), the verifier of lost reports' numbers, and the PDF the
reporter's mail carries."""

from __future__ import annotations

from eoffice.core import jobs, kinds, mail
from eoffice.portal.reports import documents, service
from eoffice.portal.reports.models import Event, LostReport, SecurityRequest

for _name, _model, _page in (
    ("lost_report", LostReport, ("portal_reports.lost_show", "report_id")),
    ("security_request", SecurityRequest, None),
    ("event", Event, ("portal_reports.event_show", "event_id")),
):
    kinds.register(
        kinds.Kind(
            name=_name,
            model=_model,
            can_view=service.can_view_item,
            visible_ids=service.visible_ids_of(_model),
            page=_page,
        )
    )

kinds.register_actions(
    {
        "lost_report.register": {"clerk", "officer"},
        "found_article.record": {"clerk", "officer"},
        "security_request.act": {"clerk", "officer"},
        "event.create": {"officer"},
    }
)
kinds.register_blueprints(
    "portal_reports",
    pages=["eoffice.portal.reports.views:bp", "eoffice.portal.reports.public:bp"],
    api=["eoffice.portal.reports.api:bp", "eoffice.portal.reports.open311:bp"],
)
kinds.register_verifier(r"[A-Z0-9-]{1,40}/LR/[0-9]{4}/[0-9]{6}", service.verified_lost)


@mail.attachment_maker("lost_report.acknowledgement")
def _lost_acknowledgement(session, report_id: int, config: dict):
    report = session.get(LostReport, report_id)
    if report is None:
        raise jobs.Permanent(f"no lost report {report_id}")
    data = documents.lost_pdf(session, service.Settings.of(config), report)
    return documents.lost_pdf_name(report), data, "application/pdf"
