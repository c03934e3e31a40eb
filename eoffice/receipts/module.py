"""The receipts module: dak, diarised with a number per office and year."""

from eoffice.core import kinds
from eoffice.receipts import access, documents
from eoffice.receipts.models import Receipt
from eoffice.receipts.service import get_receipt


def _load_for_update(session, user, receipt_id):
    return get_receipt(session, user, receipt_id, for_update=True)


def _may_attach(receipt: Receipt, desk) -> None:
    receipt.ensure_movable_by(desk)


kinds.register(
    kinds.Kind(
        name="receipt",
        model=Receipt,
        can_view=access.can_view_receipt,
        visible_ids=access.visible_receipt_ids,
        page=("receipts.show", "receipt_id"),
        search=kinds.SearchSpec(
            code=3,
            documents=documents.documents,
            texts=documents.texts,
            count=kinds.count_rows(Receipt),
            children=documents.children,
            statuses={"open": 1, "closed": 3, "filed": 4},
        ),
        attachments=kinds.AttachmentOwner(
            load_for_update=_load_for_update,
            check=_may_attach,
            scope=documents.attachment_scope,
        ),
    )
)
kinds.register_actions({"receipt.create": {"clerk", "officer"}})
kinds.register_blueprints(
    "receipts", pages=["eoffice.receipts.views:bp"], api=["eoffice.receipts.api:bp"]
)
