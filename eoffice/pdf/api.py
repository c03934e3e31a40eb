"""JSON API routes that answer with a PDF: the file docket and a receipt's acknowledgement."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from eoffice.api import spec
from eoffice.auth.permissions import LOGGED_IN, requires
from eoffice.db import get_session
from eoffice.files.service import get_file
from eoffice.pdf import pdf_name, pdf_response, service
from eoffice.receipts.service import get_receipt

bp = Blueprint("pdf_api", __name__, url_prefix="/api/v1")


@bp.get("/files/<int:file_id>/pdf")
@spec.validate(tags=["files"])
@requires(LOGGED_IN)
def docket(file_id: int):
    """The file docket (application/pdf): note sheet, correspondence list, movement register.
    404 for a file you may not see."""
    session = get_session()
    file = get_file(session, current_user, file_id)
    return pdf_response(service.docket_pdf(session, file), pdf_name(file.number))


@bp.get("/receipts/<int:receipt_id>/acknowledgement.pdf")
@spec.validate(tags=["receipts"])
@requires(LOGGED_IN)
def acknowledgement(receipt_id: int):
    """The acknowledgement (application/pdf) handed over for dak received by hand; 404 for dak
    that came another way or that you may not see."""
    session = get_session()
    receipt = service.acknowledgeable_receipt(get_receipt(session, current_user, receipt_id))
    return pdf_response(service.acknowledgement_pdf(session, receipt), pdf_name(receipt.number))
