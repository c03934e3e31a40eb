"""The storage module: attachments, a kind of record that follows its owner."""

from eoffice.core import kinds
from eoffice.storage import documents, ocr  # noqa: F401 - ocr registers its job
from eoffice.storage.models import Attachment

kinds.register(
    kinds.Kind(
        name="attachment",
        model=Attachment,
        can_view=documents.can_view,
        visible_ids=documents.visible_ids,
        search=kinds.SearchSpec(
            code=5,
            documents=documents.documents,
            texts=documents.texts,
            count=kinds.count_rows(Attachment),
        ),
    )
)
kinds.register_blueprints(
    "storage", pages=["eoffice.storage.views:bp"], api=["eoffice.storage.api:bp"]
)
