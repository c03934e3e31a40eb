"""Tips as a kind: who reads one (the `tips` role of its district, nobody else), its attachments
(the tipster's photos, audio and video, never in the search index), its pages and API."""

from __future__ import annotations

from eoffice.core import kinds
from eoffice.core.errors import Conflict
from eoffice.portal.tips import service
from eoffice.portal.tips.models import Tip


def _load_for_update(session, user, tip_id):
    return service.get_tip(session, user, tip_id, for_update=True)


def _may_attach(tip: Tip, desk) -> None:
    # the police answer in words; files come from the tipster (the public route)
    raise Conflict("files are added to a tip by its sender only", code="tipster_only")


def _scope(session, ids):
    # no scope: a tip's attachments stay out of the search index, which holds no tip at all
    return {}


kinds.register(
    kinds.Kind(
        name="tip",
        model=Tip,
        can_view=service.can_view,
        visible_ids=service.visible_ids,
        page=("tips.show", "tip_id"),
        attachments=kinds.AttachmentOwner(
            load_for_update=_load_for_update, check=_may_attach, scope=_scope
        ),
    )
)
kinds.register_blueprints(
    "portal.tips",
    pages=["eoffice.portal.tips.public:bp", "eoffice.portal.tips.views:bp"],
    api=["eoffice.portal.tips.api:bp"],
)
