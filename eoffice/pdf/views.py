"""Page routes that answer with a PDF (session login; the API twins take Bearer tokens)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from eoffice.auth.permissions import LOGGED_IN, requires
from eoffice.db import get_session
from eoffice.files.service import get_file
from eoffice.pdf import pdf_name, pdf_response, service
from eoffice.receipts.service import get_receipt

bp = Blueprint("pdf", __name__)


@bp.get("/files/<int:file_id>/docket.pdf")
@requires(LOGGED_IN)
def docket(file_id: int):
    session = get_session()
    file = get_file(session, current_user, file_id)  # 404 when not visible
    return pdf_response(service.docket_pdf(session, file), pdf_name(file.number))


@bp.get("/receipts/<int:receipt_id>/acknowledgement.pdf")
@requires(LOGGED_IN)
def acknowledgement(receipt_id: int):
    session = get_session()
    receipt = service.acknowledgeable_receipt(get_receipt(session, current_user, receipt_id))
    return pdf_response(service.acknowledgement_pdf(session, receipt), pdf_name(receipt.number))
