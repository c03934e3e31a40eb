"""Notes (the noting side) and drafts for approval with every version kept."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow
from eoffice.core.errors import Conflict, Forbidden
from eoffice.org.models import Desk


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (sa.UniqueConstraint("file_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"))
    number: Mapped[int]  # paragraph number, running on across the whole file
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None]
    # set when the file leaves the desk: from then on nobody may change it ("green note")
    final: Mapped[bool] = mapped_column(default=False)

    author: Mapped[object] = relationship("User")
    desk: Mapped[Desk] = relationship()

    def edit(self, user, desk: Desk, file, text: str) -> None:
        if self.final:
            raise Conflict(
                f"note {self.number} is final: the file has left the desk; add a new note",
                code="note_final",
            )
        if self.author_id != user.id:
            raise Forbidden("only the author may edit a note")
        file.ensure_holder(desk)
        if self.desk_id != desk.id:
            raise Conflict(f"note {self.number} was written at another desk", code="note_final")
        self.text = text
        self.edited_at = utcnow()


class DraftStatus(enum.StrEnum):
    draft = "draft"
    approved = "approved"
    issued = "issued"


class DispatchMode(enum.StrEnum):
    """How an issued letter goes out."""

    email = "email"
    post = "post"
    hand = "hand"


class Draft(Base):
    __tablename__ = "drafts"
    # the dispatch register reads issued letters by date
    __table_args__ = (sa.Index("ix_drafts_issued_at", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=DraftStatus.draft.value)
    version: Mapped[int] = mapped_column(default=1)  # the newest version's number
    approved_version: Mapped[int | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # the desk the officer approved from: the letter is signed in their name and post
    approved_desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))
    approved_at: Mapped[dt.datetime | None]
    dispatch_number: Mapped[str | None] = mapped_column(sa.String(60))
    issued_at: Mapped[dt.datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # set at issue: how the letter goes out, and to whom ([{name, designation, address, email}])
    mode: Mapped[str | None] = mapped_column(sa.String(10))
    addressees: Mapped[list | None] = mapped_column(sa.JSON)
    copy_to: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="draft", order_by="DraftVersion.version"
    )
    approved_by: Mapped[object | None] = relationship("User", foreign_keys=[approved_by_id])
    approved_desk: Mapped[Desk | None] = relationship(foreign_keys=[approved_desk_id])
    issued_by: Mapped[object | None] = relationship("User", foreign_keys=[issued_by_id])

    def ensure_editable(self) -> None:
        if self.status == DraftStatus.issued:
            raise Conflict("the draft has been issued; it cannot change", code="draft_issued")

    def revise(self, body: str, user, desk: Desk) -> DraftVersion:
        self.ensure_editable()
        self.version += 1
        # an edit after approval needs a fresh approval
        self.status = DraftStatus.draft.value
        self.approved_version = None
        version = DraftVersion(
            draft=self, version=self.version, body=body, author_id=user.id, desk_id=desk.id
        )
        return version

    def approve(self, user, version: int | None = None, desk: Desk | None = None) -> None:
        self.ensure_editable()
        version = version or self.version
        if not 1 <= version <= self.version:
            raise Conflict(f"the draft has no version {version}", code="no_such_version")
        self.status = DraftStatus.approved.value
        self.approved_version = version
        self.approved_by_id = user.id
        self.approved_desk_id = desk.id if desk is not None else None
        self.approved_at = utcnow()

    def issue(
        self,
        user,
        dispatch_number: str,
        *,
        mode: str = DispatchMode.post.value,
        addressees: list[dict] | None = None,
        copy_to: list[dict] | None = None,
    ) -> None:
        if self.status != DraftStatus.approved:
            raise Conflict("only an approved draft can be issued", code="not_approved")
        self.status = DraftStatus.issued.value
        self.dispatch_number = dispatch_number
        self.issued_by_id = user.id
        self.issued_at = utcnow()
        self.mode = DispatchMode(mode).value
        self.addressees = list(addressees or [])
        self.copy_to = list(copy_to or [])

    def approved_body(self) -> str | None:
        for v in self.versions:
            if v.version == self.approved_version:
                return v.body
        return None


class DraftVersion(Base):
    __tablename__ = "draft_versions"
    __table_args__ = (sa.UniqueConstraint("draft_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="versions")
    author: Mapped[object] = relationship("User")
