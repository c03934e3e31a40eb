"""`eoffice org load`, the admin pages and charge handover."""

import copy

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from eoffice.audit.models import AuditEvent
from eoffice.auth.models import User
from eoffice.cli import main
from eoffice.org.models import Desk, DeskHolding, Office, Section
from eoffice.org.service import OrgFileError, hand_over, load_org
from tests.conftest import SMALL_ORG, audit_count, csrf_from


def counts(db):
    db.rollback()  # end the read snapshot: see what the app committed
    return tuple(
        db.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Office, Section, Desk, User, DeskHolding, AuditEvent)
    )


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("EOFFICE_DATABASE_URL", database_url)
    monkeypatch.setenv("EOFFICE_INSTANCE", str(tmp_path / "cli-instance"))
    return CliRunner()


def write_yaml(tmp_path, data, name="org.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_org_load_twice_changes_nothing(cli_env, tmp_path, db):
    path = write_yaml(tmp_path, SMALL_ORG)
    first = cli_env.invoke(main, ["org", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "created 4 offices" in first.output
    before = counts(db)
    second = cli_env.invoke(main, ["org", "load", str(path)])
    assert second.exit_code == 0
    assert "nothing to change" in second.output
    assert counts(db) == before  # no rows and no audit events added


def test_org_load_keeps_hindi_names(org, db):
    office = db.scalars(sa.select(Office).where(Office.code == "SPO")).one()
    assert office.name_hi == "पुलिस अधीक्षक कार्यालय"
    assert office.parent.code == "RNG"
    assert office.sections[0].name_hi == "अधिष्ठान"
    desk = db.scalars(sa.select(Desk).where(Desk.code == "SPO-HC")).one()
    assert desk.reports_to.code == "SPO-SP"
    assert [u.username for u in desk.current_holders()] == ["clerk"]


def test_org_load_updates_what_changed(org, db):
    data = copy.deepcopy(SMALL_ORG)
    data["offices"][2]["name_hi"] = "थाना कोतवाली"
    data["users"][0]["roles"] = ["clerk", "officer"]
    report = load_org(db, data)
    assert report.updated == {"offices": 1, "users": 1}
    assert not report.created


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (
            lambda d: d["desks"][0].update(office="NOPE"),
            "desks[0] (SPO-SP): field 'office': unknown office 'NOPE'",
        ),
        (
            lambda d: d["offices"].append({"code": "SPO", "name": "Again"}),
            "offices[4] (SPO): duplicate office code 'SPO'",
        ),
        (lambda d: d["users"][1].pop("name"), "users[1] (officer): field 'name' is missing"),
        (
            lambda d: d["desks"][1].update(section="Accounts"),
            "desks[1] (SPO-HC): field 'section': office SPO has no section 'Accounts'",
        ),
        (lambda d: d["users"][0].update(roles=["root"]), "users[0] (clerk): field 'roles'"),
        (
            lambda d: d["users"][0].update(desks=["SPO-SP"]),
            "field 'desks': desk 'SPO-SP' is already given to clerk",
        ),
        (lambda d: d["offices"][0].update(parent="PS1"), "field 'parent' makes a cycle"),
        (lambda d: d["desks"][0].update(reports_to="GHOST"), "unknown desk 'GHOST'"),
        (lambda d: d["users"][0].pop("password"), "field 'password' is missing"),
    ],
)
def test_bad_org_file_loads_nothing_and_names_the_entry(cli_env, tmp_path, db, mutate, expected):
    data = copy.deepcopy(SMALL_ORG)
    mutate(data)
    before = counts(db)
    result = cli_env.invoke(main, ["org", "load", str(write_yaml(tmp_path, data))])
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output
    assert expected in result.output
    assert counts(db) == before


def test_bad_yaml_is_refused(cli_env, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("offices: [ {code: X, name: \n", encoding="utf-8")
    result = cli_env.invoke(main, ["org", "load", str(path)])
    assert result.exit_code == 1
    assert "not valid YAML" in result.output


def test_a_failure_half_way_rolls_back_everything(db, org):
    """Validation passes but applying fails late: nothing of the file stays."""
    data = copy.deepcopy(SMALL_ORG)
    data["offices"].append({"code": "NEW", "name": "New Office"})
    data["desks"].append({"code": "NEW-1", "title": "New desk", "office": "NEW"})
    # a loop through existing desks only shows up while applying
    data["desks"][0]["reports_to"] = "SPO-HC"
    before = counts(db)
    with pytest.raises(OrgFileError, match="loop"):
        load_org(db, data)
    assert counts(db) == before


def test_demo_district_loads_and_lists_logins(cli_env, db):
    result = cli_env.invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "sp.knj" in result.output and "auditor.range" in result.output
    again = cli_env.invoke(main, ["demo", "--if-empty"])
    assert "already has users" in again.output
    db.rollback()  # end the read snapshot: see what the app committed
    kinds = set(db.scalars(sa.select(Office.kind)))
    assert {"zone", "range", "district", "circle", "thana"} <= kinds
    assert db.scalar(sa.select(sa.func.count(Desk.id))) >= 12
    roles = set()
    for user in db.scalars(sa.select(User)):
        roles |= set(user.roles)
    assert roles == {"clerk", "officer", "auditor", "admin", "tips"}  # the SP and ASP read tips
    from eoffice.files.models import File
    from eoffice.notings.models import Draft

    assert set(db.scalars(sa.select(File.status))) == {"open", "parked", "closed"}
    assert set(db.scalars(sa.select(Draft.status))) == {"draft", "issued"}
    assert "created 4 demo files" in result.output


def test_handover_moves_the_desk_and_keeps_history(org, db, app, auth, client):
    auth.login("clerk")
    assert "SPO-HC" in client.get("/").get_data(as_text=True)
    desk = db.scalars(sa.select(Desk).where(Desk.code == "SPO-HC")).one()
    admin = db.scalars(sa.select(User).where(User.username == "admin")).one()
    successor = db.scalars(sa.select(User).where(User.username == "other")).one()
    hand_over(db, admin, desk, successor, "additional", "clerk on leave / अवकाश")
    db.commit()  # the unit of work a request would commit
    assert [u.username for u in desk.current_holders()] == ["other"]
    assert [h.user.username for h in desk.holdings] == ["clerk", "other"]
    assert desk.holdings[0].until is not None
    # the old holder, mid-session, no longer acts at the desk
    assert "SPO-HC" not in client.get("/").get_data(as_text=True)
    event = db.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "desk.handover")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert event.username == "admin"
    assert event.payload()["from"] == ["clerk"] and event.payload()["to"] == "other"
    assert event.payload()["remarks"] == "clerk on leave / अवकाश"


def test_admin_handover_page_needs_confirmation(org, db, auth, client):
    auth.login("admin")
    desk = db.scalars(sa.select(Desk).where(Desk.code == "SPO-HC")).one()
    other = db.scalars(sa.select(User).where(User.username == "other")).one()
    page = client.get(f"/admin/desks/{desk.id}")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    resp = client.post(
        f"/admin/desks/{desk.id}/handover",
        data={
            "handover-csrf_token": token,
            "handover-user_id": other.id,
            "handover-kind": "regular",
        },
        follow_redirects=True,
    )
    assert 'class="flash flash-error"' in resp.get_data(as_text=True)
    db.rollback()  # end the read snapshot: see what the app committed
    assert [u.username for u in desk.current_holders()] == ["clerk"]
    client.post(
        f"/admin/desks/{desk.id}/handover",
        data={
            "handover-csrf_token": token,
            "handover-user_id": other.id,
            "handover-kind": "regular",
            "handover-confirm": "y",
            "handover-remarks": "transfer",
        },
    )
    db.rollback()  # end the read snapshot: see what the app committed
    assert [u.username for u in desk.current_holders()] == ["other"]


def test_admin_creates_office_desk_and_user_in_hindi(org, db, auth, client):
    auth.login("admin")
    token = auth.csrf("/admin/offices/new")
    resp = client.post(
        "/admin/offices/new",
        data={
            "csrf_token": token,
            "code": "PS2",
            "name": "Thana Two",
            "name_hi": "थाना दो",
            "kind": "thana",
            "parent": "SPO",
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    office = db.scalars(sa.select(Office).where(Office.code == "PS2")).one()
    assert office.name_hi == "थाना दो" and office.parent.code == "SPO"
    resp = client.post(
        "/admin/desks/new",
        data={
            "csrf_token": token,
            "code": "PS2-SHO",
            "title": "SHO",
            "title_hi": "थानाध्यक्ष",
            "office_id": office.id,
            "section_id": "",
            "reports_to_id": "",
            "active": "y",
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    resp = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "username": "sho2",
            "name": "New SHO",
            "name_hi": "नये थानाध्यक्ष",
            "roles": ["officer"],
            "active": "y",
            "password": "a long password",
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    db.rollback()  # end the read snapshot: see what the app committed
    user = db.scalars(sa.select(User).where(User.username == "sho2")).one()
    assert user.roles == ["officer"] and user.check_password("a long password")
    actions = [e.action for e in db.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions[-3:] == ["office.created", "desk.created", "user.created"]


def test_admin_form_errors_keep_the_input(org, db, auth, client):
    auth.login("admin")
    token = auth.csrf("/admin/offices/new")
    before = audit_count(db)
    resp = client.post(
        "/admin/offices/new",
        data={
            "csrf_token": token,
            "code": "SPO",
            "name": "दूसरा कार्यालय",
            "kind": "thana",
            "parent": "",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "दूसरा कार्यालय" in html  # the form comes back filled
    assert audit_count(db) == before


def test_admin_cannot_disable_themselves(org, db, auth, client):
    auth.login("admin")
    admin = db.scalars(sa.select(User).where(User.username == "admin")).one()
    token = auth.csrf(f"/admin/users/{admin.id}")
    resp = client.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": token, "username": "admin", "name": "Admin", "roles": ["admin"]},
    )
    assert resp.status_code == 422
    db.rollback()  # end the read snapshot: see what the app committed
    assert admin.active


def test_auditor_may_view_but_not_change_the_organisation(org, db, auth, client):
    auth.login("auditor")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/desks?q=SPO").status_code == 200
    office = db.scalars(sa.select(Office).where(Office.code == "SPO")).one()
    token = auth.csrf(f"/admin/offices/{office.id}")
    resp = client.post(
        f"/admin/offices/{office.id}",
        data={"csrf_token": token, "code": "SPO", "name": "Renamed", "kind": "district"},
    )
    assert resp.status_code == 403
    db.rollback()  # end the read snapshot: see what the app committed
    assert office.name == "SP Office"


def test_lists_are_paginated(org, db, auth, client):
    from eoffice.org.service import load_org

    data = {
        "offices": [],
        "desks": [{"code": f"D{i:03}", "title": f"डेस्क {i}", "office": "SPO"} for i in range(120)],
        "users": [],
    }
    load_org(db, data)
    db.commit()  # the unit of work the loader runs in
    auth.login("admin")
    first = client.get("/admin/desks").get_data(as_text=True)
    assert "D000" in first and "D060" not in first
    third = client.get("/admin/desks?page=3").get_data(as_text=True)
    assert "D110" in third
    assert client.get("/admin/desks?page=abc").status_code == 200
