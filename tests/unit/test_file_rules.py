"""The File, Note and Draft rules of CSMeOP, without a database."""

import datetime as dt

import pytest

from eoffice.auth.models import User
from eoffice.core.errors import Conflict, Forbidden, Invalid
from eoffice.files.models import File, is_overdue, working_days_between
from eoffice.notings.models import Draft, DraftVersion, Note
from eoffice.org.models import Desk

HC, SP, SHO = (
    Desk(id=i, code=c, title=c, active=True) for i, c in [(1, "HC"), (2, "SP"), (3, "SHO")]
)
CLERK, OFFICER = User(id=1, username="clerk", name="c"), User(id=2, username="sp", name="s")


def new_file() -> File:
    file = File(
        id=1,
        number="11/1/2026-Estt",
        status="open",
        priority="normal",
        holder_desk_id=HC.id,
        holder=HC,
    )
    file.start(HC, CLERK)
    return file


def test_only_the_holder_sends():
    file = new_file()
    with pytest.raises(Conflict) as exc:
        file.send(SP, SHO, OFFICER)
    assert exc.value.code == "not_holder"
    file.send(HC, SP, CLERK, "देखें", "immediate")
    assert file.holder_desk_id == SP.id and file.priority == "immediate"
    assert file.last_movement.from_desk_id == HC.id and file.last_movement.remarks == "देखें"


def test_cannot_send_to_own_or_unused_desk():
    file = new_file()
    with pytest.raises(Invalid):
        file.send(HC, HC, CLERK)
    retired = Desk(id=9, code="OLD", title="old", active=False)
    with pytest.raises(Invalid):
        file.send(HC, retired, CLERK)


def test_pull_back_only_while_unopened():
    file = new_file()
    file.send(HC, SP, CLERK)
    assert file.mark_opened(SP, OFFICER)
    assert not file.mark_opened(SP, OFFICER)  # once
    with pytest.raises(Conflict) as exc:
        file.pull_back(HC, CLERK)
    assert exc.value.code == "already_opened"
    file.send(SP, HC, OFFICER)
    with pytest.raises(Conflict) as exc:
        file.pull_back(HC, CLERK)  # HC did not send it last
    assert exc.value.code == "not_sender"
    file.pull_back(SP, OFFICER)
    assert file.holder_desk_id == SP.id


def test_closed_files_are_read_only():
    file = new_file()
    file.close(HC, CLERK, "done")
    for action in (
        lambda: file.send(HC, SP, CLERK),
        lambda: file.park(HC, CLERK),
        lambda: file.ensure_holder(HC),
    ):
        with pytest.raises(Conflict):
            action()
    file.reopen(HC, OFFICER, "again")
    assert file.status == "open"


def test_stale_version():
    file = new_file()
    file.version = 4
    file.check_version(None)
    file.check_version(4)
    with pytest.raises(Conflict) as exc:
        file.check_version(3)
    assert exc.value.code == "stale_version"


def test_final_notes_refuse_every_edit():
    file = new_file()
    note = Note(number=1, text="t", author_id=CLERK.id, desk_id=HC.id, final=True)
    with pytest.raises(Conflict) as exc:
        note.edit(CLERK, HC, file, "new")
    assert exc.value.code == "note_final"
    note.final = False
    with pytest.raises(Forbidden):
        note.edit(OFFICER, HC, file, "new")
    note.edit(CLERK, HC, file, "नया")
    assert note.text == "नया"


def test_draft_versions_and_approval():
    draft = Draft(title="t", version=1, status="draft")
    draft.versions.append(DraftVersion(version=1, body="one", author_id=1, desk_id=1))
    draft.approve(OFFICER)
    assert draft.approved_version == 1
    draft.versions.append(draft.revise("two", CLERK, HC))
    assert (draft.version, draft.status, draft.approved_version) == (2, "draft", None)
    with pytest.raises(Conflict):
        draft.issue(OFFICER, "D/1")
    with pytest.raises(Conflict):
        draft.approve(OFFICER, 7)
    draft.approve(OFFICER, 1)
    assert draft.approved_body() == "one"
    draft.issue(OFFICER, "D/1")
    with pytest.raises(Conflict):
        draft.revise("three", CLERK, HC)


def test_working_days_skip_sundays():
    monday = dt.date(2026, 11, 30)  # a week with no national holiday (see test_holidays)
    assert working_days_between(monday, monday + dt.timedelta(days=7)) == 6
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, monday + dt.timedelta(days=14)) == 12


def test_overdue_by_due_date_or_seven_working_days():
    today = dt.date(2026, 11, 23)
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    assert not is_overdue(now, None, today)
    assert is_overdue(now, today - dt.timedelta(days=1), today)
    assert not is_overdue(now - dt.timedelta(days=8), None, today)  # 7 working days
    assert not is_overdue(now - dt.timedelta(days=9), None, today)  # two Sundays between
    assert is_overdue(now - dt.timedelta(days=10), None, today)


def test_a_parked_file_is_taken_back_by_its_holder_only():
    file = new_file()
    with pytest.raises(Conflict) as exc:
        file.unpark(HC, CLERK)
    assert exc.value.code == "not_parked"
    file.park(HC, CLERK, "प्रतीक्षा")
    with pytest.raises(Conflict) as exc:
        file.unpark(SP, OFFICER)
    assert exc.value.code == "not_holder"
    movement = file.unpark(HC, CLERK, "उत्तर मिला")
    assert file.status == "open" and file.holder_desk_id == HC.id
    assert (movement.kind, movement.from_desk_id, movement.to_desk_id) == ("unparked", 1, 1)
    assert file.last_movement is movement and movement.remarks == "उत्तर मिला"


def test_a_parked_file_can_still_be_sent_and_arrives_open():
    file = new_file()
    file.park(HC, CLERK)
    file.send(HC, SP, CLERK)
    assert file.status == "open" and file.holder_desk_id == SP.id


def test_send_target_refusals_have_their_own_codes():
    file = new_file()
    retired = Desk(id=9, code="OLD", title="old", active=False)
    for to, code in [(HC, "same_desk"), (retired, "desk_inactive")]:
        with pytest.raises(Invalid) as exc:
            file.send(HC, to, CLERK)
        assert (exc.value.code, exc.value.field) == (code, "to")
