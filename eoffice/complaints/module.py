"""The complaints module: complaints as a kind (who sees one, its attachments), its actions,
pages and API, the SLA sweep as a scheduled job, and the PDFs its mails carry."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from eoffice.complaints import documents, service
from eoffice.complaints.models import PENDING, Complaint, Status
from eoffice.core import jobs, kinds, mail
from eoffice.core.errors import Conflict


def _load_for_update(session, user, complaint_id):
    return service.get_complaint(session, user, complaint_id, for_update=True)


def _may_attach(complaint: Complaint, desk) -> None:
    """The IO, or a desk of the complaint's office or above it, while it is not closed."""
    if complaint.status == Status.closed:
        raise Conflict(f"complaint {complaint.number} is closed", code="closed")
    chain = {complaint.office.id, *[o.id for o in complaint.office.ancestors()]}
    if desk.id != complaint.io_desk_id and desk.office_id not in chain:
        raise Conflict(f"complaint {complaint.number} is not in your office", code="not_holder")


def _scope(session, ids):
    rows = session.execute(
        sa.select(
            Complaint.id,
            Complaint.number,
            sa.func.coalesce(Complaint.station_id, Complaint.district_id),
            Complaint.io_desk_id,
            Complaint.level_desk_id,
            Complaint.status,
            Complaint.file_id,
        ).where(Complaint.id.in_(ids))
    )
    return {
        r[0]: kinds.DocScope(
            office_id=r[2],
            file_id=r[6],
            desks=(r[3], r[4]),
            status="open" if r[5] != Status.closed else "closed",
            number=r[1],
            page=("complaints.show", {"complaint_id": r[0]}, None),
        )
        for r in rows
    }


kinds.register(
    kinds.Kind(
        name="complaint",
        model=Complaint,
        can_view=service.can_view,
        visible_ids=service.visible_ids,
        page=("complaints.show", "complaint_id"),
        attachments=kinds.AttachmentOwner(
            load_for_update=_load_for_update, check=_may_attach, scope=_scope
        ),
    )
)
kinds.register_actions(
    {
        "complaint.register": {"clerk", "officer"},
        "complaint.assign": {"officer"},
        "complaint.close": {"officer"},
    }
)
kinds.register_blueprints(
    "complaints",
    pages=["eoffice.complaints.views:bp", "eoffice.complaints.public:bp"],
    api=["eoffice.complaints.api:bp"],
)


def waiting_at(session, desks) -> int:
    """Complaints not yet closed whose level has reached one of these desks (the home page)."""
    ids = [d.id for d in desks]
    if not ids:
        return 0
    return session.scalar(
        sa.select(sa.func.count(Complaint.id)).where(
            Complaint.level_desk_id.in_(ids), Complaint.status.in_([s.value for s in PENDING])
        )
    )


kinds.register_hook("complaints.waiting", waiting_at)
kinds.register_verifier(r"[A-Z0-9-]{1,40}/C/[0-9]{4}/[0-9]{6}", service.verified_complaint)


# --- jobs: the SLA sweep, and the PDFs the complainant's mails carry -----------------------------


@jobs.handler("complaints.sweep")
def _sweep(ctx: jobs.JobContext, payload: dict) -> None:
    service.sweep(ctx.session, service.Settings.of(ctx.config), ctx.now)


jobs.periodic(
    "complaints.sweep", lambda config: dt.timedelta(minutes=config.get("SLA_SWEEP_MINUTES", 5))
)


def _complaint_pdf(make, what):
    def maker(session, complaint_id: int, config: dict):
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            raise jobs.Permanent(f"no complaint {complaint_id}")
        data = make(session, service.Settings.of(config), complaint)
        return documents.pdf_name(complaint, what), data, "application/pdf"

    return maker


mail.attachment_maker("complaint.acknowledgement")(
    _complaint_pdf(documents.acknowledgement_pdf, "complaint")
)
mail.attachment_maker("complaint.action_report")(
    _complaint_pdf(documents.action_report_pdf, "action-report")
)
