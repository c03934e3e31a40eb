"""The notings module: the noting side of a file (notes) and drafts for approval. Both are parts
of a file: the file's page, JSON, docket and index take them from the registry."""

from eoffice.core import kinds
from eoffice.notings import dispatch  # noqa: F401  (the mail job's maker of the signed letter)
from eoffice.notings import documents as d
from eoffice.notings.models import Draft, DraftVersion, Note

kinds.register(
    kinds.Kind(
        name="note",
        model=Note,
        can_view=d.note_can_view,
        visible_ids=d.note_visible_ids,
        search=kinds.SearchSpec(
            code=2, documents=d.note_documents, texts=d.note_texts, count=kinds.count_rows(Note)
        ),
    )
)
kinds.register(
    kinds.Kind(
        name="draft",
        model=Draft,
        can_view=d.draft_can_view,
        visible_ids=d.draft_visible_ids,
        page=("notings.draft", "draft_id"),
        search=kinds.SearchSpec(
            code=4,
            documents=d.draft_documents,
            texts=d.draft_texts,
            count=kinds.count_rows(Draft),
            # a new version changes what the draft says
            triggers=((DraftVersion, lambda v: v.draft_id),),
        ),
    )
)
kinds.register_part(
    kinds.Part(
        kind="note",
        parent="file",
        name="notes",
        load=d.notes_of,
        to_json=d.note_json,
        on_left_desk=d.make_notes_final,
        ids_of=d.note_ids,
    )
)
kinds.register_part(
    kinds.Part(
        kind="draft",
        parent="file",
        name="drafts",
        load=d.drafts_of,
        to_json=d.draft_json,
        ids_of=d.draft_ids,
    )
)
kinds.register_actions({"draft.approve": {"officer"}})
kinds.register_blueprints(
    "notings", pages=["eoffice.notings.views:bp"], api=["eoffice.notings.api:bp"]
)
