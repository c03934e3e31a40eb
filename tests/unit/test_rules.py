"""Rules on the models, without a database."""

import datetime as dt

import pytest

from eoffice.audit.models import GENESIS, AuditEvent, canonical, sha256
from eoffice.auth.models import User, verify_password
from eoffice.core.errors import Invalid
from eoffice.org.desks import acting_desk
from eoffice.org.models import Desk, DeskHolding, Office, OrgError
from eoffice.web.i18n import format_indian_number
from eoffice.web.pages import safe_next


def test_office_tree_refuses_cycles():
    district = Office(code="D", name="District")
    circle = Office(code="C", name="Circle")
    thana = Office(code="T", name="Thana")
    circle.set_parent(district)
    thana.set_parent(circle)
    with pytest.raises(OrgError, match="cycle"):
        district.set_parent(thana)
    with pytest.raises(OrgError):
        district.set_parent(district)
    assert [o.code for o in thana.ancestors()] == ["C", "D"]


def test_channel_of_submission_refuses_loops():
    sp, asp, hc = (
        Desk(code="SP", title="SP"),
        Desk(code="ASP", title="ASP"),
        Desk(code="HC", title="HC"),
    )
    asp.set_reports_to(sp)
    hc.set_reports_to(asp)
    with pytest.raises(OrgError, match="loop"):
        sp.set_reports_to(hc)


def test_hindi_names_shown_for_hindi_locale():
    office = Office(code="PS", name="Thana Kotwali", name_hi="थाना कोतवाली")
    assert office.display_name("hi") == "थाना कोतवाली"
    assert office.display_name("en") == "Thana Kotwali"
    assert Office(code="X", name="Only English").display_name("hi") == "Only English"


def test_roles_are_checked():
    user = User(username="u", name="U")
    user.roles = ["officer", "clerk"]
    assert user.roles == ["clerk", "officer"]
    with pytest.raises(ValueError, match="unknown role"):
        user.roles = ["superuser"]


def test_passwords_are_argon2id_and_never_plain():
    user = User(username="u", name="U")
    user.set_password("पासवर्ड-लंबा-2026")
    assert user.password_hash.startswith("$argon2id$")
    assert "पासवर्ड" not in user.password_hash
    assert user.check_password("पासवर्ड-लंबा-2026")
    assert not user.check_password("wrong password")
    assert not verify_password(None, "anything at all")
    with pytest.raises(ValueError):
        user.set_password("short")


def test_acting_desk_needs_a_choice_when_several_are_held():
    user = User(username="u", name="U")
    a, b = Desk(id=1, code="A", title="A"), Desk(id=2, code="B", title="B")
    user.holdings = [DeskHolding(desk=a), DeskHolding(desk=b)]
    with pytest.raises(Invalid) as exc:
        acting_desk(user, None)
    assert exc.value.code == "desk_required"
    assert acting_desk(user, "B") is b
    with pytest.raises(Invalid) as exc:
        acting_desk(user, "C")
    assert exc.value.code == "not_your_desk"
    # an ended charge does not count
    user.holdings[1].until = dt.datetime.now(dt.UTC)
    assert acting_desk(user, None) is a


def test_audit_hash_covers_every_field():
    ev = AuditEvent(
        seq=1,
        at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        user_id=3,
        username="u",
        desk_code="D",
        action="x",
        object_type="file",
        object_id="9",
        data="{}",
        digest=sha256(canonical({})),
        prev_hash=GENESIS,
    )
    first = ev.compute_hash()
    for field, value in [
        ("username", "v"),
        ("desk_code", "E"),
        ("action", "y"),
        ("object_id", "10"),
        ("prev_hash", "1" * 64),
        ("seq", 2),
    ]:
        old = getattr(ev, field)
        setattr(ev, field, value)
        assert ev.compute_hash() != first, field
        setattr(ev, field, old)
    assert ev.compute_hash() == first


def test_indian_digit_grouping():
    assert format_indian_number(1234567) == "12,34,567"
    assert format_indian_number(100000) == "1,00,000"
    assert format_indian_number(999) == "999"
    assert format_indian_number(-1234) == "-1,234"
    assert format_indian_number("abc") == "abc"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/admin/desks", "/admin/desks"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_redirects_after_login_stay_on_site(target, expected):
    assert safe_next(target) == expected
