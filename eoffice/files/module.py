"""The files module: the File aggregate (number, holder, movement, correspondence side)."""

from eoffice.core import kinds
from eoffice.files import access, documents, records  # noqa: F401 - the record room's table
from eoffice.files.links import copied_into
from eoffice.files.models import File
from eoffice.files.service import add_document_page, desk_summary, get_file


def _load_for_update(session, user, file_id):
    return get_file(session, user, file_id, for_update=True)


def _may_attach(file: File, desk) -> None:
    file.ensure_holder(desk)


def _attached(session, file: File, attachment) -> None:
    add_document_page(session, file, attachment)


kinds.register(
    kinds.Kind(
        name="file",
        model=File,
        can_view=access.can_view_file,
        visible_ids=access.visible_file_ids,
        page=("files.show", "file_id"),
        search=kinds.SearchSpec(
            code=1,
            documents=documents.documents,
            texts=documents.texts,
            count=documents.count,
            children=documents.children,
            inherited=("status", "category"),
            statuses={"open": 1, "parked": 2, "closed": 3},
        ),
        attachments=kinds.AttachmentOwner(
            load_for_update=_load_for_update,
            check=_may_attach,
            scope=documents.scope,
            attached=_attached,
        ),
    )
)
kinds.register_actions({"file.create": {"clerk", "officer"}, "file.close": {"officer"}})
kinds.register_blueprints(
    "files",
    pages=[
        "eoffice.files.views:bp",
        "eoffice.files.records_views:bp",
        "eoffice.files.links_views:bp",
    ],
    api=["eoffice.files.api:bp", "eoffice.files.records_api:bp", "eoffice.files.links_api:bp"],
)
kinds.register_hook("desk.summary", desk_summary)
# the files each receipt was copied into (links.copy_receipt): their readers may read it
kinds.register_hook("receipt.copied_into", copied_into)
