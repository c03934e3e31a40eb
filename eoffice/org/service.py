"""Use cases of the organisation: the YAML import, admin edits and charge handover.

Every change is an audit event; an import that changes nothing records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from eoffice.audit import service as audit
from eoffice.auth.models import ROLES, User, password_problem
from eoffice.auth.permissions import can
from eoffice.core.db import utcnow
from eoffice.core.errors import Conflict, Forbidden, Invalid, NotFound
from eoffice.org.models import Desk, DeskHolding, Office, OfficeKind, OrgError, Section

OFFICE_FIELDS = ("name", "name_hi", "kind", "state", "time_zone")
# desks an office names for citizens' items: set once every desk of the file exists
OFFICE_DESKS = ("routing_desk", "duty_desk")
SECTION_FIELDS = ("name", "name_hi")
DESK_FIELDS = ("title", "title_hi", "active")
USER_FIELDS = ("name", "name_hi", "email", "locale", "active")


class OrgFileError(Invalid):
    """A bad organisation file; `problems` names each entry and field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems), code="bad_org_file")
        self.problems = problems


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, kind: str) -> None:
        target = self.created if what == "created" else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "nothing to change"
        parts = [f"created {n} {k}" for k, n in sorted(self.created.items())]
        parts += [f"updated {n} {k}" for k, n in sorted(self.updated.items())]
        return ", ".join(parts)


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _apply(obj, values: dict, fields: tuple[str, ...]) -> dict:
    """Set the given fields; return {field: [old, new]} for those that changed."""
    diff = {}
    for name in fields:
        if name in values and getattr(obj, name) != values[name]:
            diff[name] = [getattr(obj, name), values[name]]
            setattr(obj, name, values[name])
    return diff


# --- validation of the file ------------------------------------------------------------------


def _label(kind: str, i: int, entry) -> str:
    key = {"offices": "code", "desks": "code", "users": "username"}[kind]
    name = entry.get(key) if isinstance(entry, dict) else None
    return f"{kind}[{i}]" + (f" ({name})" if name else "")


def _text(problems, where, entry, name, required=False, max_len=200):
    value = entry.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{where}: field '{name}' is missing")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        problems.append(f"{where}: field '{name}' must be text")
        return None
    value = str(value).strip()
    if len(value) > max_len:
        problems.append(f"{where}: field '{name}' is longer than {max_len} characters")
    return value


def validate_org_data(session: Session, data) -> dict:
    """Check the whole file before anything is written; return it cleaned."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise OrgFileError(["the file must be a mapping with offices, desks and users"])
    extra = set(data) - {"offices", "desks", "users"}
    if extra:
        problems.append(f"unknown top-level key(s): {', '.join(sorted(map(str, extra)))}")
    lists = {}
    for kind in ("offices", "desks", "users"):
        value = data.get(kind) or []
        if not isinstance(value, list):
            problems.append(f"{kind}: must be a list")
            value = []
        lists[kind] = value

    db_offices = {o.code: o for o in session.scalars(sa.select(Office))}
    db_desks = {d.code: d for d in session.scalars(sa.select(Desk))}
    db_users = {u.username for u in session.scalars(sa.select(User))}

    offices, sections_by_office = {}, {}
    for i, e in enumerate(lists["offices"]):
        where = _label("offices", i, e)
        if not isinstance(e, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        code = _text(problems, where, e, "code", True, 40)
        name = _text(problems, where, e, "name", True)
        kind = _text(problems, where, e, "kind") or None
        if kind and kind not in OfficeKind.__members__:
            problems.append(f"{where}: field 'kind' must be one of {', '.join(OfficeKind)}")
        if code in offices:
            problems.append(f"{where}: duplicate office code '{code}'")
        secs = {}
        for j, s in enumerate(e.get("sections") or []):
            swhere = f"{where}.sections[{j}]"
            if not isinstance(s, dict):
                problems.append(f"{swhere}: must be a mapping")
                continue
            scode = _text(problems, swhere, s, "code", True, 40)
            sname = _text(problems, swhere, s, "name", True)
            if scode in secs:
                problems.append(f"{swhere}: duplicate section code '{scode}'")
            if scode:
                secs[scode] = {"name": sname, "name_hi": _text(problems, swhere, s, "name_hi")}
        time_zone = _text(problems, where, e, "time_zone", max_len=60)
        if time_zone and not _known_zone(time_zone):
            problems.append(f"{where}: field 'time_zone': unknown time zone '{time_zone}'")
        if code:
            offices[code] = {
                "name": name,
                "name_hi": _text(problems, where, e, "name_hi"),
                "kind": kind,
                "state": _text(problems, where, e, "state", max_len=10),
                "time_zone": time_zone,
                "parent": _text(problems, where, e, "parent", max_len=40),
                "_desks": {f: _text(problems, where, e, f, max_len=60) for f in OFFICE_DESKS},
                "_where": where,
            }
            sections_by_office[code] = secs
    for o in offices.values():
        if o["parent"] and o["parent"] not in offices and o["parent"] not in db_offices:
            problems.append(f"{o['_where']}: field 'parent': unknown office '{o['parent']}'")
    # cycles among the file's offices
    for code in offices:
        seen, node = set(), code
        while node in offices and offices[node]["parent"]:
            if node in seen:
                problems.append(f"{offices[code]['_where']}: field 'parent' makes a cycle")
                break
            seen.add(node)
            node = offices[node]["parent"]

    desks = {}
    for i, e in enumerate(lists["desks"]):
        where = _label("desks", i, e)
        if not isinstance(e, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        code = _text(problems, where, e, "code", True, 60)
        title = _text(problems, where, e, "title", True)
        office = _text(problems, where, e, "office", True, 40)
        section = _text(problems, where, e, "section", max_len=40)
        if code in desks:
            problems.append(f"{where}: duplicate desk code '{code}'")
        if office and office not in offices and office not in db_offices:
            problems.append(f"{where}: field 'office': unknown office '{office}'")
        elif office and section:
            known = set(sections_by_office.get(office, {}))
            if office in db_offices:
                known |= {s.code for s in db_offices[office].sections}
            if section not in known:
                problems.append(
                    f"{where}: field 'section': office {office} has no section '{section}'"
                )
        active = e.get("active", True)
        if not isinstance(active, bool):
            problems.append(f"{where}: field 'active' must be true or false")
        if code:
            desks[code] = {
                "title": title,
                "title_hi": _text(problems, where, e, "title_hi"),
                "office": office,
                "section": section,
                "active": active,
                "reports_to": _text(problems, where, e, "reports_to", max_len=60),
                "_where": where,
            }
    for d in desks.values():
        if d["reports_to"] and d["reports_to"] not in desks and d["reports_to"] not in db_desks:
            problems.append(f"{d['_where']}: field 'reports_to': unknown desk '{d['reports_to']}'")
    for ocode, o in offices.items():
        for name, dcode in o["_desks"].items():
            if not dcode:
                continue
            where_office = desks[dcode]["office"] if dcode in desks else None
            if where_office is None and dcode in db_desks:
                where_office = db_desks[dcode].office.code
            if where_office is None:
                problems.append(f"{o['_where']}: field '{name}': unknown desk '{dcode}'")
            elif where_office != ocode:
                problems.append(f"{o['_where']}: field '{name}': desk '{dcode}' is not in {ocode}")

    users, desk_claims = {}, {}
    for i, e in enumerate(lists["users"]):
        where = _label("users", i, e)
        if not isinstance(e, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        username = _text(problems, where, e, "username", True, 80)
        name = _text(problems, where, e, "name", True)
        password = e.get("password")
        problem = password_problem(password, username) if password is not None else None
        if problem:
            problems.append(f"{where}: field 'password': {problem}")
            password = None
        if password is None and username and username not in db_users:
            problems.append(f"{where}: field 'password' is missing (needed for a new user)")
        roles = e.get("roles") or []
        if not isinstance(roles, list) or any(r not in ROLES for r in roles):
            problems.append(f"{where}: field 'roles' must be a list of {', '.join(ROLES)}")
            roles = []
        udesks = e.get("desks") or []
        if not isinstance(udesks, list):
            problems.append(f"{where}: field 'desks' must be a list")
            udesks = []
        for dc in udesks:
            if dc not in desks and dc not in db_desks:
                problems.append(f"{where}: field 'desks': unknown desk '{dc}'")
            elif dc in desk_claims:
                problems.append(
                    f"{where}: field 'desks': desk '{dc}' is already given to {desk_claims[dc]}"
                )
            else:
                desk_claims[dc] = username
        active = e.get("active", True)
        if not isinstance(active, bool):
            problems.append(f"{where}: field 'active' must be true or false")
        if username in users:
            problems.append(f"{where}: duplicate username '{username}'")
        if username:
            users[username] = {
                "name": name,
                "name_hi": _text(problems, where, e, "name_hi"),
                "email": _text(problems, where, e, "email"),
                "locale": _text(problems, where, e, "locale", max_len=5),
                "password": password,
                "roles": roles,
                "desks": udesks,
                "active": active,
            }
            if users[username]["locale"] not in (None, "hi", "en"):
                problems.append(f"{where}: field 'locale' must be hi or en")
    if problems:
        raise OrgFileError(problems)
    return {"offices": offices, "sections": sections_by_office, "desks": desks, "users": users}


# --- applying --------------------------------------------------------------------------------


def load_org(session: Session, data, actor: User | None = None) -> LoadReport:
    """Create or update everything in the file, in one transaction; all or nothing."""
    ensure_admin(actor)
    clean = validate_org_data(session, data)
    report = LoadReport()
    _load_clean(session, clean, actor, report)  # the caller commits the whole file, or nothing
    return report


def _event(session, actor, action, obj_type, obj, data, report, kind, what):
    report.add(what, kind)
    audit.record(
        session,
        action,
        user=actor,
        username=None if actor else "org-load",
        obj_type=obj_type,
        obj_id=obj.id,
        data=data,
    )


def _load_clean(session: Session, clean: dict, actor, report: LoadReport) -> None:
    offices = {o.code: o for o in session.scalars(sa.select(Office))}
    new_offices: set[str] = set()
    for code, values in clean["offices"].items():
        values = {k: v for k, v in values.items() if not k.startswith("_") and k != "parent"}
        if values["kind"] is None:
            values.pop("kind")
        office = offices.get(code)
        if office is None:
            office = Office(code=code, **values)
            session.add(office)
            session.flush()
            offices[code] = office
            new_offices.add(code)
            _event(
                session,
                actor,
                "office.created",
                "office",
                office,
                {"code": code, "parent": clean["offices"][code]["parent"], **values},
                report,
                "offices",
                "created",
            )
        elif diff := _apply(office, values, OFFICE_FIELDS):
            session.flush()
            _event(
                session,
                actor,
                "office.updated",
                "office",
                office,
                diff,
                report,
                "offices",
                "updated",
            )
    for code, values in clean["offices"].items():
        office, parent = offices[code], offices.get(values["parent"]) if values["parent"] else None
        if office.parent is not parent:
            old = office.parent.code if office.parent else None
            office.set_parent(parent)
            session.flush()
            if code not in new_offices:
                _event(
                    session,
                    actor,
                    "office.updated",
                    "office",
                    office,
                    {"parent": [old, values["parent"]]},
                    report,
                    "offices",
                    "updated",
                )
        existing = {s.code: s for s in office.sections}
        for scode, svalues in clean["sections"].get(code, {}).items():
            section = existing.get(scode)
            if section is None:
                section = Section(office=office, code=scode, **svalues)
                session.add(section)
                session.flush()
                _event(
                    session,
                    actor,
                    "section.created",
                    "section",
                    section,
                    {"office": code, "code": scode, **svalues},
                    report,
                    "sections",
                    "created",
                )
            elif diff := _apply(section, svalues, SECTION_FIELDS):
                session.flush()
                _event(
                    session,
                    actor,
                    "section.updated",
                    "section",
                    section,
                    diff,
                    report,
                    "sections",
                    "updated",
                )

    desks = {d.code: d for d in session.scalars(sa.select(Desk))}
    new_desks: set[str] = set()
    for code, values in clean["desks"].items():
        office = offices[values["office"]]
        section = next((s for s in office.sections if s.code == values["section"]), None)
        plain = {k: values[k] for k in DESK_FIELDS}
        desk = desks.get(code)
        if desk is None:
            desk = Desk(code=code, office=office, section=section, **plain)
            session.add(desk)
            session.flush()
            desks[code] = desk
            new_desks.add(code)
            _event(
                session,
                actor,
                "desk.created",
                "desk",
                desk,
                {
                    "code": code,
                    "office": office.code,
                    "section": values["section"],
                    "reports_to": values["reports_to"],
                    **plain,
                },
                report,
                "desks",
                "created",
            )
            continue
        diff = _apply(desk, plain, DESK_FIELDS)
        if desk.office is not office:
            diff["office"] = [desk.office.code, office.code]
            desk.office = office
        if desk.section is not section:
            diff["section"] = [desk.section.code if desk.section else None, values["section"]]
            desk.section = section
        if diff:
            session.flush()
            _event(session, actor, "desk.updated", "desk", desk, diff, report, "desks", "updated")
    for code, values in clean["desks"].items():
        desk, target = (
            desks[code],
            desks.get(values["reports_to"]) if values["reports_to"] else None,
        )
        if desk.reports_to is not target:
            old = desk.reports_to.code if desk.reports_to else None
            try:
                desk.set_reports_to(target)
            except OrgError as exc:
                raise OrgFileError([f"{values['_where']}: field 'reports_to': {exc}"]) from exc
            session.flush()
            if code in new_desks:
                continue
            _event(
                session,
                actor,
                "desk.updated",
                "desk",
                desk,
                {"reports_to": [old, values["reports_to"]]},
                report,
                "desks",
                "updated",
            )

    for code, values in clean["offices"].items():
        office = offices[code]
        diff = {}
        for name, dcode in values["_desks"].items():
            target = desks[dcode] if dcode else None
            if getattr(office, name) is not target:
                old = getattr(office, name)
                diff[name] = [old.code if old else None, dcode]
                setattr(office, name, target)
        if diff:
            session.flush()
            # a new office's desks are part of its creation: audited, not counted again
            counted = report if code not in new_offices else LoadReport()
            _event(
                session,
                actor,
                "office.updated",
                "office",
                office,
                diff,
                counted,
                "offices",
                "updated",
            )

    users = {
        u.username: u for u in session.scalars(sa.select(User).options(selectinload(User.holdings)))
    }
    for username, values in clean["users"].items():
        user = users.get(username)
        plain = {k: values[k] for k in USER_FIELDS}
        if user is None:
            user = User(username=username, **plain)
            user.roles = values["roles"]
            user.set_password(values["password"])
            session.add(user)
            session.flush()
            _event(
                session,
                actor,
                "user.created",
                "user",
                user,
                {"username": username, "roles": values["roles"], **plain},
                report,
                "users",
                "created",
            )
        else:
            diff = _apply(user, plain, USER_FIELDS)
            if sorted(user.roles) != sorted(values["roles"]):
                diff["roles"] = [user.roles, values["roles"]]
                user.roles = values["roles"]
            if values["password"] and not user.check_password(values["password"]):
                user.set_password(values["password"])
                diff["password"] = "changed"  # noqa: S105
                from eoffice.auth.service import cut_off

                cut_off(session, user)  # a new password ends every login and token
            if diff:
                if "active" in diff and not user.active:
                    from eoffice.auth.service import cut_off

                    cut_off(session, user)
                session.flush()
                _event(
                    session, actor, "user.updated", "user", user, diff, report, "users", "updated"
                )
        wanted = [desks[c] for c in values["desks"]]
        for holding in [h for h in user.holdings if h.until is None]:
            if holding.desk not in wanted:
                _end_holding(session, holding, actor, report, "left in the organisation file")
        for desk in wanted:
            if not any(h.desk is desk and h.until is None for h in user.holdings):
                _give_desk(
                    session, desk, user, actor, report, "regular", "from the organisation file"
                )


def _end_holding(session, holding: DeskHolding, actor, report, remarks):
    holding.end(utcnow())
    session.flush()
    _event(
        session,
        actor,
        "desk.released",
        "desk",
        holding.desk,
        {"user": holding.user.username, "remarks": remarks},
        report,
        "charges",
        "updated",
    )


def _give_desk(session, desk: Desk, user: User, actor, report, kind, remarks):
    """The desk moves to `user`: whoever held it stops holding it. The inbox stays with the desk."""
    previous = [h for h in desk.holdings if h.until is None]
    for holding in previous:
        holding.end(utcnow())
    holding = DeskHolding(desk=desk, user=user, kind=kind, remarks=remarks, since=utcnow())
    session.add(holding)
    session.flush()
    _event(
        session,
        actor,
        "desk.handover",
        "desk",
        desk,
        {
            "from": [h.user.username for h in previous],
            "to": user.username,
            "kind": kind,
            "remarks": remarks,
        },
        report,
        "charges",
        "created",
    )
    return holding


def ensure_admin(actor: User | None) -> None:
    """Changes to the organisation are the administrator's (the org file loader runs as none)."""
    if actor is not None and not can(actor, "org.edit"):
        raise Forbidden("only an administrator may change the organisation", code="org_admin_only")


def hand_over(
    session: Session,
    actor: User,
    desk: Desk,
    to_user: User,
    kind: str = "regular",
    remarks: str | None = None,
) -> DeskHolding:
    """Charge handover (leave, transfer): the desk with its whole inbox passes to `to_user`."""
    ensure_admin(actor)
    if not to_user.active:
        raise Invalid(f"{to_user.username} is disabled", field="user")
    if kind not in ("regular", "additional"):
        raise Invalid("kind must be regular or additional", field="kind")
    if any(h.user is to_user and h.until is None for h in desk.holdings):
        raise Conflict(f"{to_user.username} already holds {desk.code}", code="already_holds")
    holding = _give_desk(session, desk, to_user, actor, LoadReport(), kind, remarks)
    return holding


# --- admin edits -----------------------------------------------------------------------------


def save_office(session: Session, actor: User, office: Office | None, values: dict) -> Office:
    ensure_admin(actor)
    parent_code = values.pop("parent", None)
    parent = None
    if parent_code:
        parent = session.scalars(sa.select(Office).where(Office.code == parent_code)).one_or_none()
        if parent is None:
            raise Invalid(f"unknown office '{parent_code}'", field="parent")
    if office is None:
        if session.scalars(sa.select(Office).where(Office.code == values["code"])).first():
            raise Invalid(f"office code '{values['code']}' is taken", field="code")
        office = Office(**values)
        session.add(office)
        diff = {"created": values}
        action = "office.created"
    else:
        values.pop("code", None)
        diff = _apply(office, values, OFFICE_FIELDS)
        action = "office.updated"
    if office.parent is not parent:
        try:
            office.set_parent(parent)
        except OrgError as exc:
            raise Invalid(str(exc), field="parent") from exc
        diff["parent"] = parent_code
    session.flush()
    if diff:
        audit.record(session, action, user=actor, obj_type="office", obj_id=office.id, data=diff)
    return office


def add_section(session: Session, actor: User, office: Office, values: dict) -> Section:
    ensure_admin(actor)
    if any(s.code == values["code"] for s in office.sections):
        raise Invalid(f"section code '{values['code']}' is taken in {office.code}", field="code")
    section = Section(office=office, **values)
    session.add(section)
    session.flush()
    audit.record(
        session,
        "section.created",
        user=actor,
        obj_type="section",
        obj_id=section.id,
        data={"office": office.code, **values},
    )
    return section


def save_desk(session: Session, actor: User, desk: Desk | None, values: dict) -> Desk:
    ensure_admin(actor)
    office = session.get(Office, values.pop("office_id"))
    if office is None:
        raise Invalid("unknown office", field="office_id")
    section_id = values.pop("section_id", None)
    section = session.get(Section, section_id) if section_id else None
    if section is not None and section.office_id != office.id:
        raise Invalid("that section belongs to another office", field="section_id")
    reports_id = values.pop("reports_to_id", None)
    reports_to = session.get(Desk, reports_id) if reports_id else None
    if desk is None:
        if session.scalars(sa.select(Desk).where(Desk.code == values["code"])).first():
            raise Invalid(f"desk code '{values['code']}' is taken", field="code")
        desk = Desk(office=office, section=section, **values)
        session.add(desk)
        diff, action = {"created": values | {"office": office.code}}, "desk.created"
    else:
        values.pop("code", None)
        diff, action = _apply(desk, values, DESK_FIELDS), "desk.updated"
        if desk.office is not office:
            diff["office"] = office.code
        if desk.section is not section:
            diff["section"] = section.code if section else None
        desk.office, desk.section = office, section
    if desk.reports_to is not reports_to:
        try:
            desk.set_reports_to(reports_to)
        except OrgError as exc:
            raise Invalid(str(exc), field="reports_to_id") from exc
        diff["reports_to"] = reports_to.code if reports_to else None
    session.flush()
    if diff:
        audit.record(session, action, user=actor, obj_type="desk", obj_id=desk.id, data=diff)
    return desk


def save_user(session: Session, actor: User, user: User | None, values: dict) -> User:
    ensure_admin(actor)
    password = values.pop("password", None)
    roles = values.pop("roles", None)
    if user is None:
        if session.scalars(sa.select(User).where(User.username == values["username"])).first():
            raise Invalid(f"username '{values['username']}' is taken", field="username")
        if not password:
            raise Invalid("a new user needs a password", field="password")
        user = User(**values)
        session.add(user)
        diff, action = {"created": {k: v for k, v in values.items()}}, "user.created"
    else:
        values.pop("username", None)
        diff, action = _apply(user, values, USER_FIELDS), "user.updated"
    if roles is not None and sorted(roles) != sorted(user.roles):
        diff["roles"] = roles
        try:
            user.roles = roles
        except ValueError as exc:
            raise Invalid(str(exc), field="roles") from exc
    if password:
        try:
            user.set_password(password)
        except ValueError as exc:
            raise Invalid(str(exc), field="password") from exc
        diff["password"] = "changed"  # noqa: S105
    if user.id is not None and (
        (not user.active and "active" in diff) or "password" in diff
    ):  # disabled, or a new password: every login and token ends
        from eoffice.auth.service import cut_off

        cut_off(session, user)
    session.flush()
    if diff:
        audit.record(session, action, user=actor, obj_type="user", obj_id=user.id, data=diff)
    return user


def get_or_404(session: Session, model, ident):
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"no such {model.__name__.lower()}")
    return obj


def office_tree(session: Session) -> list[tuple[int, Office]]:
    """Offices depth-first with their depth, for indented lists."""
    offices = list(session.scalars(sa.select(Office).order_by(Office.code)))
    children: dict[int | None, list[Office]] = {}
    for o in offices:
        children.setdefault(o.parent_id, []).append(o)
    out: list[tuple[int, Office]] = []

    def walk(parent_id, depth):
        for o in children.get(parent_id, []):
            out.append((depth, o))
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def offices_within(session: Session, office_ids: set[int]) -> set[int]:
    """The given offices and every office below them."""
    rows = session.execute(sa.select(Office.id, Office.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for oid, pid in rows:
        children.setdefault(pid, []).append(oid)
    out, stack = set(), list(office_ids)
    while stack:
        oid = stack.pop()
        if oid not in out:
            out.add(oid)
            stack.extend(children.get(oid, []))
    return out


def audited_office_ids(session: Session, user) -> set[int]:
    """The offices an auditor inspects: those of their desks and every office below them."""
    if not user.has_role("auditor"):
        return set()
    return offices_within(session, {d.office_id for d in user.current_desks()})


def desk_ids(user) -> set[int]:
    return {d.id for d in user.current_desks()}


def audit_scope(session: Session, user):
    """Which audit events `user` may read: all for an administrator; for an auditor, those made
    at a desk of their jurisdiction or by someone holding one; None means every event."""
    from eoffice.audit.models import AuditEvent

    if user.has_role("admin"):
        return None
    offices = audited_office_ids(session, user)
    desks = sa.select(Desk.code).where(Desk.office_id.in_(offices))
    people = (
        sa.select(User.username)
        .join(DeskHolding, DeskHolding.user_id == User.id)
        .join(Desk, Desk.id == DeskHolding.desk_id)
        .where(Desk.office_id.in_(offices), DeskHolding.until.is_(None))
    )
    users = (
        sa.select(sa.cast(DeskHolding.user_id, sa.String))
        .join(Desk)
        .where(Desk.office_id.in_(offices))
    )
    sections = sa.select(sa.cast(Section.id, sa.String)).where(Section.office_id.in_(offices))
    return sa.or_(
        AuditEvent.desk_code.in_(desks),
        AuditEvent.username.in_(people),
        # changes to the organisation of the jurisdiction (the org file loads them as no one)
        sa.and_(
            AuditEvent.object_type == "office",
            AuditEvent.object_id.in_([str(i) for i in offices]),
        ),
        sa.and_(
            AuditEvent.object_type == "desk",
            AuditEvent.object_id.in_(
                sa.select(sa.cast(Desk.id, sa.String)).where(Desk.office_id.in_(offices))
            ),
        ),
        sa.and_(AuditEvent.object_type == "section", AuditEvent.object_id.in_(sections)),
        sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(users)),
    )
