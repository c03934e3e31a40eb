"""Who may reach what, in one matrix: every route of the app, its pages and its JSON API, for
every role: no login, the SP office's clerk, an officer (two desks of that district, neither of
which has had the file), the range's auditor, the other district's officer, the administrator
(no desk) and, on the API, the officer naming a desk he holds (SPO-SP).

- A file, draft, receipt or attachment nobody showed you does not exist: 404, the same as not
  found (the SP office's clerk made them; the auditor's range contains that office).
- Seeing is not acting: 409 for the wrong desk, 403 for the wrong role.
- Without a login every page sends you to the login form; the API answers 401.
- The officer names no desk in his own column: the API refuses his writes for the missing
  `desk` (422), which says nothing about the file (an upload looks for its file first: 404).
  Naming a desk he holds (SPO-SP) does not reveal the file either: 404.

Each (route, role) is a case of its own, against one world made once for the module: no row
changes it (`S` marks the holder's successful writes, which the workflow tests cover), and a row
that changes the caller's own session or token runs on a fresh login. A route without a row
fails `test_every_route_has_a_row`."""

from __future__ import annotations

import datetime as dt
import io
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from eoffice.complaints.models import Complaint
from eoffice.org.models import Office
from eoffice.portal.reports.models import LostReport, SecurityRequest
from eoffice.portal.tips.models import Tip
from eoffice.web.access import declared_action
from tests.conftest import (
    PASSWORD,
    Auth,
    config_for,
    csrf_from,
    load_small_org,
    new_database,
    start_app,
)
from tests.factories import (
    PDF,
    PNG,
    Caller,
    desk,
    new_draft,
    new_file,
    note,
    receipt,
    receipt_body,
    upload,
    user,
)
from tests.pow import solve_altcha

ROLES = ("anon", "clerk", "officer", "auditor", "other", "admin")
AT_DESK = "officer@SPO-SP"  # the officer, naming in each API call a desk he holds
API_ROLES = (*ROLES, AT_DESK)

S = None  # not checked: the holder's successful writes (covered by the workflow tests)
L = "login"  # a page's answer without a login: 302 to the login form
SEES = 403  # the auditor's write: he sees the file or receipt, but auditors never write

# pages, in ROLES order
ALL = [L, 200, 200, 200, 200, 200]
MINE = [L, 200, 404, 200, 404, 404]  # the clerk made it; the auditor's range contains it
NONE = [L, 404, 404, 404, 404, 404]  # not there, for anyone
NEW = [L, 200, 200, 403, 200, 403]  # clerks and officers make files and receipts
OVERSIGHT = [L, 403, 403, 200, 403, 200]  # the organisation and the audit log: auditor, admin
# only the admin may change it (the rows leave a required field empty: 422, nothing saved)
ADMIN_FORM = [L, 403, 403, 403, 403, 422]
# the API, in API_ROLES order
API_MINE = [401, 200, 404, 200, 404, 404, 404]
API_NONE = [401, 404, 404, 404, 404, 404, 404]
API_ANY = [401, 200, 200, 200, 200, 200, 200]  # anyone with a token

UPLOAD = "UPLOAD"  # the API row posts one PDF as multipart form data
RECEIPT = receipt_body("डाक", sender={"name": "क"}, mode="post")
# a complaint at Thana One of the SP office's district: the clerk, the officer (both desks in
# that district) and the range's auditor see it; the other district's officer and the
# administrator (no desk) do not
SEEN_C = [L, 200, 200, 200, 404, 404]
API_SEEN_C = [401, 200, 200, 200, 404, 404, 200]
COMPLAINT = {
    "district": "SPO",
    "station": "PS1",
    "category": "theft",
    "description": "चोरी",
    "complainant": {"name": "सुनीता", "mobile": "9876543210"},
}
LOST = {
    "district": "SPO",
    "station": "PS1",
    "article": {
        "kind": "mobile",
        "description": "काला मोबाइल",
        "identifiers": {"imei": "352099001761481"},
    },
    "lost": {"on": "2026-11-28", "place": "बाज़ार"},
    "reporter": {"name": "सुनीता", "mobile": "9876543210"},
}
SECURITY = {
    "district": "SPO",
    "station": "PS1",
    "for": "senior_citizen",
    "name": "रामेश्वर",
    "mobile": "9876500001",
    "address": "सराय मीरा",
    "need": "रात में गश्त",
}
TIP = {"district": "SPO", "station": "PS1", "category": "crime", "text": "सूचना"}
EVENT = {
    "office": "PS1",
    "title": "Dussehra fair",
    "title_hi": "दशहरा मेला",
    "starts": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
    "ends": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat(),
}


# the MIS: officers and auditors, for their own jurisdiction (SPO is outside the other
# district's officer's)
MIS = [L, 403, 200, 200, 404, 403]
MIS_OWN = [L, 403, 200, 200, 200, 403]
API_MIS = [401, 403, 200, 200, 404, 403, 200]
API_MIS_OWN = [401, 403, 200, 200, 200, 403, 200]
MIS_REPORTS = ("pendency", "others", "flow", "dispatch", "bottlenecks", "sla")


class Row(NamedTuple):
    method: str
    path: str  # {F} file, {D} draft, {R} receipt, {FA}/{RA} their attachments, {O} office SPO,
    #            {K} desk SPO-HC, {U} user clerk
    send: object  # pages: None (no form, so no CSRF token) or (form prefix, fields), posted
    #               with the CSRF token; API: None, a JSON body, or UPLOAD
    expect: list  # status per role, in ROLES (pages) or API_ROLES (API) order
    fresh: bool = False  # changes the caller's own session or token: a fresh login


PAGES = [
    Row("GET", "/", None, ALL),
    Row("GET", "/login", None, [200, 302, 302, 302, 302, 302]),
    Row(
        "POST",
        "/login",
        ("", {"username": "nobody", "password": "no-such-user"}),
        [401] + [302] * 5,
    ),
    Row("POST", "/logout", ("", {}), [L] * 6, fresh=True),
    Row("POST", "/language", ("", {"lang": "xx"}), [422] * 6),  # public; no such language
    Row("POST", "/desk", ("", {"desk": "SPO-HC"}), [L, 302, 422, 422, 422, 422], fresh=True),
    Row("GET", "/healthz", None, [200] * 6),
    # one's own API tokens (no token 999999 is anyone's)
    Row("GET", "/tokens", None, ALL),
    Row("POST", "/tokens/999999/revoke", ("", {}), NONE),
    Row("GET", "/no/such/page", None, [404] * 6),
    # the organisation
    Row("GET", "/admin/", None, OVERSIGHT),
    Row("GET", "/admin/desks", None, OVERSIGHT),
    Row("GET", "/admin/users", None, OVERSIGHT),
    Row("GET", "/admin/offices/new", None, OVERSIGHT),
    Row("GET", "/admin/desks/new", None, OVERSIGHT),
    Row("GET", "/admin/users/new", None, OVERSIGHT),
    Row("GET", "/admin/offices/999", None, [L, 403, 403, 404, 403, 404]),
    Row("GET", "/admin/offices/{O}", None, OVERSIGHT),
    Row("GET", "/admin/desks/{K}", None, OVERSIGHT),
    Row("GET", "/admin/users/{U}", None, OVERSIGHT),
    Row("POST", "/admin/offices/new", ("", {"code": ""}), ADMIN_FORM),
    Row("POST", "/admin/offices/{O}", ("", {"code": ""}), ADMIN_FORM),
    Row("POST", "/admin/offices/{O}/sections", ("section", {"code": ""}), ADMIN_FORM),
    Row("POST", "/admin/desks/new", ("", {"code": ""}), ADMIN_FORM),
    Row("POST", "/admin/desks/{K}", ("", {"code": ""}), ADMIN_FORM),
    # unconfirmed: back to the desk page with a message
    Row("POST", "/admin/desks/{K}/handover", ("handover", {}), [L, 403, 403, 403, 403, 303]),
    Row("POST", "/admin/users/new", ("", {"username": ""}), ADMIN_FORM),
    Row("POST", "/admin/users/{U}", ("", {"username": ""}), ADMIN_FORM),
    # the audit log and search
    Row("GET", "/audit/", None, OVERSIGHT),
    Row("POST", "/audit/verify", ("", {}), OVERSIGHT),
    Row("GET", "/search/", None, ALL),
    # files
    Row("GET", "/files/inbox", None, ALL),
    Row("GET", "/files/parked", None, ALL),
    Row("GET", "/files/closed", None, ALL),
    Row("GET", "/files/sent", None, ALL),
    Row("GET", "/files/", None, ALL),
    Row("GET", "/files/new", None, NEW),
    Row(
        "POST",
        "/files/new",
        ("", {"subject": "s", "head": "1", "category": "A"}),
        [L, S, S, 403, S, 403],
    ),
    Row("GET", "/files/{F}", None, MINE),
    Row("GET", "/files/{F}/docket.pdf", None, MINE),
    Row("GET", "/files/999/docket.pdf", None, NONE),
    Row("POST", "/files/{F}/notes", ("note", {"text": "x"}), [L, S, 404, SEES, 404, 404]),
    Row("POST", "/files/{F}/notes/1", ("edit-1", {"text": "x"}), [L, S, 404, 403, 404, 404]),
    Row("POST", "/files/{F}/send", ("send", {"to": "SPO-SP"}), [L, S, 404, SEES, 404, 404]),
    Row("POST", "/files/{F}/pull-back", ("pull", {}), [L, 409, 404, SEES, 404, 404]),
    Row("POST", "/files/{F}/park", ("park", {}), [L, S, 404, SEES, 404, 404]),
    Row("POST", "/files/{F}/unpark", ("unpark", {}), [L, 409, 404, SEES, 404, 404]),
    Row("POST", "/files/{F}/close", ("close", {"remarks": "x"}), [L, 403, 404, 403, 404, 403]),
    Row("POST", "/files/{F}/reopen", ("reopen", {"remarks": "x"}), [L, 403, 404, 403, 404, 403]),
    # the auditor's desk has no open receipt to offer, so the form itself is refused
    Row(
        "POST",
        "/files/{F}/receipts",
        ("receipt", {"receipt_id": "{R}"}),
        [L, S, 404, 422, 404, 404],
    ),
    # no file chosen: back to the page with a message, for whoever may see the file
    Row("POST", "/files/{F}/attachments", ("", {}), [L, 303, 404, 303, 404, 404]),
    Row("POST", "/files/999/attachments", None, [400] * 6),  # no CSRF token: refused first
    # notes' drafts
    Row(
        "POST",
        "/files/{F}/drafts",
        ("draft", {"title": "t", "body": "b"}),
        [L, S, 404, SEES, 404, 404],
    ),
    Row("GET", "/drafts/{D}", None, MINE),
    Row("GET", "/drafts/{D}/compare?a=1&b=1", None, MINE),
    Row("POST", "/drafts/{D}", ("revise", {"body": "b2"}), [L, S, 404, SEES, 404, 404]),
    Row("POST", "/drafts/{D}/approve", ("approve", {}), [L, 403, 404, 403, 404, 403]),
    Row("POST", "/drafts/{D}/issue", ("issue", {}), [L, 409, 404, SEES, 404, 404]),
    # complaints (the staff's pages): {C} was made on the portal at Thana One, in the district
    Row("GET", "/complaints/", None, ALL),
    Row("GET", "/complaints/pendency", None, [L, 200, 200, 200, 200, 403]),
    Row("GET", "/complaints/{C}", None, SEEN_C),
    Row("GET", "/complaints/{C}/copy.pdf", None, SEEN_C),
    Row("GET", "/complaints/999", None, NONE),
    Row("GET", "/complaints/new", None, NEW),
    Row("POST", "/complaints/new", ("", {"description": ""}), [L, 422, 422, 403, 422, 403]),
    Row(
        "POST",
        "/complaints/{C}/route",
        ("route", {"station": "PS1"}),
        [L, 422, 422, SEES, 404, 404],
    ),
    Row(
        "POST", "/complaints/{C}/assign", ("assign", {"io": "PS1-SHO"}), [L, 403, S, 403, 404, 403]
    ),
    Row(
        "POST", "/complaints/{C}/interim", ("interim", {"text": "x"}), [L, 403, 422, SEES, 404, 404]
    ),
    Row("POST", "/complaints/{C}/report", ("report", {"text": "x"}), [L, 403, 422, SEES, 404, 404]),
    Row("POST", "/complaints/{C}/close", ("close", {"remarks": "x"}), [L, 403, 422, 403, 404, 403]),
    # the citizens' pages: public (a wrong number and key is 404, whoever asks)
    Row("GET", "/c/", None, [200] * 6),
    Row("GET", "/c/complaint", None, [200] * 6),
    Row("POST", "/c/complaint", ("", {"description": ""}), [422] * 6),
    Row("POST", "/c/complaint/copy", ("", {"number": "{CN}", "key": "WRONG"}), [404] * 6),
    Row("POST", "/c/track/report", ("", {"number": "{CN}", "key": "WRONG"}), [404] * 6),
    Row("GET", "/c/track", None, [200] * 6),
    Row("POST", "/c/track", ("", {"number": "{CN}", "key": "WRONG"}), [404] * 6),
    Row("POST", "/c/track/answer", ("", {"number": "{CN}", "key": "WRONG"}), [404] * 6),
    Row("GET", "/verify/{CN}?c=WRONG", None, [404] * 6),
    # the portal's reports: a lost report {LR} and a security request {SR} filed at Thana One,
    # an event {EV} there
    Row("GET", "/lost-reports/", None, ALL),
    Row("GET", "/lost-reports/{LR}", None, SEEN_C),
    Row("GET", "/lost-reports/{LR}/acknowledgement.pdf", None, SEEN_C),
    Row("GET", "/found-articles/", None, ALL),
    Row("POST", "/found-articles/", ("", {"description": ""}), [L, 422, 422, 403, 422, 403]),
    Row("GET", "/security-requests/board", None, ALL),
    Row("POST", "/security-requests/{SR}/acknowledge", ("", {}), [L, S, S, 403, 404, 403]),
    Row(
        "POST",
        "/security-requests/{SR}/resolve",
        ("", {"remarks": ""}),
        [L, 422, 422, 403, 422, 403],  # the empty remarks are refused before the request is sought
    ),
    Row("GET", "/events/", None, ALL),
    Row("POST", "/events/", ("", {"title": ""}), [L, 403, 422, 403, 422, 403]),
    Row("GET", "/events/{EV}", None, SEEN_C),
    Row("GET", "/events/{EV}/poster.pdf", None, SEEN_C),
    Row("GET", "/c/lost", None, [200] * 6),
    Row("POST", "/c/lost", ("", {"description": ""}), [422] * 6),
    Row("GET", "/c/security", None, [200] * 6),
    Row("POST", "/c/security", ("", {"need": ""}), [422] * 6),
    Row("GET", "/c/security/status", None, [200] * 6),
    Row("POST", "/c/security/status", ("", {"number": "{SRN}", "mobile": "9000000000"}), [404] * 6),
    Row("GET", "/c/event/{EV}", None, [200] * 6),
    Row("POST", "/c/event/{EV}", ("", {"text": ""}), [422] * 6),
    Row("GET", "/verify/{LRN}?c=WRONG", None, [404] * 6),
    # confidential tips {T}: only the role `tips` of the district reads them (nobody here has
    # it); officers of the district see the counts
    Row("GET", "/c/tip", None, [200] * 6),
    Row("POST", "/c/tip", ("", {"text": ""}), [422] * 6),
    Row("GET", "/c/tip/me", None, [200] * 6),
    Row("POST", "/c/tip/me", ("", {"receipt": "1" * 16}), [404] * 6),
    Row("POST", "/c/tip/me/message", ("", {"receipt": "1" * 16, "text": "x"}), [404] * 6),
    Row("GET", "/tips/", None, NONE),
    Row("GET", "/tips/moderation", None, NONE),
    Row("GET", "/tips/counts", None, [L, 403, 200, 403, 200, 403]),
    Row("GET", "/tips/{T}", None, NONE),
    Row("POST", "/tips/{T}/reply", ("reply", {"text": "x"}), NONE),
    Row("POST", "/tips/{T}/close", ("close", {"remarks": "x"}), NONE),
    Row("POST", "/tips/{T}/abuse", ("abuse", {}), NONE),
    Row("POST", "/tips/{T}/ban", ("ban", {"remarks": "x"}), NONE),
    # the MIS
    Row("GET", "/mis/", None, [L, 403, 302, 302, 302, 403]),
    *[Row("GET", f"/mis/{r}?office=SPO", None, MIS) for r in MIS_REPORTS],
    Row("GET", "/mis/pendency", None, MIS_OWN),
    Row("GET", "/mis/pendency?office=SPO&format=csv", None, MIS),
    Row("GET", "/mis/pendency?office=SPO&format=pdf", None, MIS),
    Row("GET", "/mis/pendency?office=SPO&format=svg", None, MIS),
    Row("GET", "/mis/list?report=pendency&office=SPO", None, MIS),
    # station feedback and grades
    Row("GET", "/feedback/grades", None, [L, 403, 200, 200, 200, 403]),
    Row("GET", "/feedback/grades?office=SPO", None, [L, 403, 200, 200, 404, 403]),
    Row("GET", "/feedback/grades/stamp", None, [L, 403, 200, 200, 200, 403]),
    Row("GET", "/feedback/offices/PS1", None, [L, 403, 200, 200, 404, 403]),
    Row("GET", "/feedback/offices/NOPE", None, [L, 403, 404, 404, 404, 403]),
    Row("GET", "/feedback/offices/PS1/poster.pdf", None, [L, 403, 200, 403, 404, 200]),
    Row("GET", "/c/feedback/PS1", None, [200] * 6),
    Row("POST", "/c/feedback/PS1", ("", {}), [422] * 6),
    Row("GET", "/c/feedback/NOPE", None, [404] * 6),
    # receipts
    Row("GET", "/receipts/", None, ALL),
    Row("GET", "/receipts/new", None, NEW),
    Row(
        "POST",
        "/receipts/new",
        ("", {"received_on": "{today}", "mode": "post", "sender_name": "क", "subject": "डाक"}),
        [L, S, S, 403, S, 403],
    ),
    Row("GET", "/receipts/register", None, [L, 200, 200, 200, 200, 404]),
    # the clerk never sent R: nothing to pull back (409); the auditor sees it but never writes
    Row("POST", "/receipts/{R}/pull-back", ("pull", {}), [L, 409, 404, SEES, 404, 404]),
    Row("GET", "/files/copies", None, ALL),
    Row("GET", "/dispatch?office=SPO", None, [L, 200, 200, 200, 404, 404]),
    Row("GET", "/dispatch", None, [L, 200, 200, 200, 200, 404]),
    Row("GET", "/dispatch?office=SPO&format=csv", None, [L, 200, 200, 200, 404, 404]),
    Row("GET", "/dispatch?office=SPO&format=pdf", None, [L, 200, 200, 200, 404, 404]),
    Row("GET", "/records/review", None, [L, 403, 200, 200, 200, 403]),
    Row("GET", "/records/weeded", None, [L, 403, 200, 200, 200, 403]),
    Row("GET", "/records/{F}/weed", None, [L, 403, 200, 403, 404, 404]),
    Row("POST", "/records/{F}/weed", ("", {"remarks": "x"}), [L, 403, 422, 403, 404, 404]),
    Row(
        "POST",
        "/files/{F}/retention",
        ("retention", {"retention_years": "2"}),
        [L, 403, 404, 403, 404, 403],
    ),
    Row("POST", "/files/{F}/parts", ("part", {}), [L, S, 404, 403, 404, 403]),
    Row("POST", "/files/{F}/links", ("link", {"number": "x"}), [L, 422, 404, 403, 404, 404]),
    Row(
        "POST", "/files/{F}/copies", ("copy_receipt", {"number": "x"}), [L, 422, 404, 403, 404, 404]
    ),
    Row("GET", "/receipts/{R}", None, MINE),
    Row("GET", "/receipts/{R}/acknowledgement.pdf", None, MINE),
    Row("GET", "/receipts/999/acknowledgement.pdf", None, NONE),
    Row("POST", "/receipts/{R}/send", ("send", {"to": "SPO-SP"}), [L, S, 404, SEES, 404, 404]),
    Row("POST", "/receipts/{R}/close", ("close", {}), [L, S, 404, SEES, 404, 404]),
    Row("POST", "/receipts/{R}/attachments", ("", {}), [L, 303, 404, 303, 404, 404]),
    # attachments
    Row("GET", "/attachments/{FA}", None, MINE),
    Row("GET", "/attachments/{FA}/preview", None, MINE),
    Row("GET", "/attachments/{RA}", None, MINE),
    Row("GET", "/attachments/{RA}/preview", None, MINE),
    Row("GET", "/attachments/999", None, NONE),
    Row("GET", "/attachments/999/preview", None, NONE),
]

API = [
    Row("GET", "/api/v1/openapi.json", None, [200] * 7),
    Row("GET", "/api/v1/nothing", None, [404] * 7),
    Row("POST", "/api/v1/token", {"username": "clerk", "password": PASSWORD}, [200] * 7),
    Row("DELETE", "/api/v1/token", None, [401, 204, 204, 204, 204, 204, 204], fresh=True),
    Row("GET", "/api/v1/me", None, API_ANY),
    Row("GET", "/api/v1/tokens", None, API_ANY),
    Row("DELETE", "/api/v1/tokens/999999", None, [401] + [404] * 6),
    Row("GET", "/api/v1/offices", None, API_ANY),
    Row("GET", "/api/v1/desks", None, API_ANY),
    Row("GET", "/api/v1/audit/verify", None, [401, 403, 403, 200, 403, 200, 403]),
    # without words or filters: 422 before the index is asked anything
    Row("GET", "/api/v1/search", None, [401, 422, 422, 422, 422, 422, 422]),
    # files
    Row(
        "POST",
        "/api/v1/files",
        {"subject": "s", "head": "1", "category": "A"},
        [401, S, 422, 403, S, 403, S],
    ),
    Row("GET", "/api/v1/inbox", None, [401, 200, 422, 200, 200, 403, 200]),
    Row("GET", "/api/v1/sent", None, [401, 200, 422, 200, 200, 403, 200]),
    Row("GET", "/api/v1/files/{F}", None, API_MINE),
    Row("GET", "/api/v1/files/{F}/pdf", None, API_MINE),
    Row("GET", "/api/v1/files/999/pdf", None, API_NONE),
    Row("POST", "/api/v1/files/{F}/notes", {"text": "x"}, [401, S, 422, SEES, 404, 404, 404]),
    Row("PUT", "/api/v1/files/{F}/notes/1", {"text": "x"}, [401, S, 422, 403, 404, 404, 404]),
    Row("POST", "/api/v1/files/{F}/send", {"to": "SPO-SP"}, [401, S, 422, SEES, 404, 404, 404]),
    Row("POST", "/api/v1/files/{F}/pull-back", {}, [401, 409, 422, SEES, 404, 404, 404]),
    Row("POST", "/api/v1/files/{F}/park", {}, [401, S, 422, SEES, 404, 404, 404]),
    Row("POST", "/api/v1/files/{F}/unpark", {}, [401, 409, 422, SEES, 404, 404, 404]),
    Row("POST", "/api/v1/files/{F}/close", {"remarks": "x"}, [401, 403, 422, 403, 404, 404, 404]),
    Row("POST", "/api/v1/files/{F}/reopen", {"remarks": "x"}, [401, 403, 422, 403, 404, 404, 404]),
    Row(
        "POST",
        "/api/v1/files/{F}/receipts",
        {"receipt_id": "{R}"},
        [401, S, 422, SEES, 404, 404, 404],
    ),
    # the owner is looked up first: the officer, who may not see it, is told nothing of desks
    Row("POST", "/api/v1/files/{F}/attachments", UPLOAD, [401, S, 404, SEES, 404, 404, 404]),
    # drafts
    Row(
        "POST",
        "/api/v1/files/{F}/drafts",
        {"title": "t", "body": "b"},
        [401, S, 422, SEES, 404, 404, 404],
    ),
    Row("PUT", "/api/v1/drafts/{D}", {"body": "b2"}, [401, S, 422, SEES, 404, 404, 404]),
    Row("GET", "/api/v1/drafts/{D}/versions", None, API_MINE),
    Row("POST", "/api/v1/drafts/{D}/approve", {}, [401, 403, 422, 403, 404, 404, 404]),
    Row("POST", "/api/v1/drafts/{D}/issue", {}, [401, 409, 422, SEES, 404, 404, 404]),
    # receipts
    Row("POST", "/api/v1/receipts", RECEIPT, [401, S, 422, 403, S, 403, S]),
    Row("GET", "/api/v1/receipts", None, [401, 200, 422, 200, 200, 403, 200]),
    Row("GET", "/api/v1/receipts/register", None, [401, 200, 200, 200, 200, 404, 200]),
    Row("POST", "/api/v1/receipts/{R}/pull-back", {}, [401, 409, 422, SEES, 404, 404, 404]),
    Row("GET", "/api/v1/copies", None, [401, 200, 422, 200, 200, 403, 200]),
    Row("GET", "/api/v1/dispatch?office=SPO", None, [401, 200, 200, 200, 404, 404, 200]),
    Row("GET", "/api/v1/dispatch", None, [401, 200, 422, 422, 200, 404, 200]),
    Row("GET", "/api/v1/dispatch?office=SPO&format=csv", None, [401, 200, 200, 200, 404, 404, 200]),
    Row("GET", "/api/v1/dispatch?office=SPO&format=pdf", None, [401, 200, 200, 200, 404, 404, 200]),
    Row("GET", "/api/v1/attachments/{FA}/signature", None, API_MINE),
    Row("GET", "/api/v1/attachments/999/signature", None, API_NONE),
    Row("GET", "/api/v1/records/review", None, [401, 403, 200, 200, 200, 403, 200]),
    Row("GET", "/api/v1/records/weeded", None, [401, 403, 200, 200, 200, 403, 200]),
    Row("POST", "/api/v1/records/{F}/weed", {"remarks": "x"}, [401, 403, 409, 403, 404, 404, 409]),
    Row(
        "PUT",
        "/api/v1/files/{F}/retention",
        {"retention_years": 2},
        [401, 403, 422, 403, 404, 404, 404],
    ),
    Row("POST", "/api/v1/files/{F}/parts", {}, [401, S, 422, 403, 404, 403, 404]),
    Row(
        "POST", "/api/v1/files/{F}/links", {"file_id": "{F}"}, [401, 422, 422, SEES, 404, 404, 404]
    ),
    Row("POST", "/api/v1/files/{F}/receipts/{R}/copy", {}, [401, 409, 422, SEES, 404, 404, 404]),
    Row("GET", "/api/v1/receipts/{R}", None, API_MINE),
    Row("GET", "/api/v1/receipts/{R}/acknowledgement.pdf", None, API_MINE),
    Row("GET", "/api/v1/receipts/999/acknowledgement.pdf", None, API_NONE),
    Row("POST", "/api/v1/receipts/{R}/send", {"to": "SPO-SP"}, [401, S, 422, SEES, 404, 404, 404]),
    Row("POST", "/api/v1/receipts/{R}/close", {}, [401, S, 422, SEES, 404, 404, 404]),
    Row("POST", "/api/v1/receipts/{R}/attachments", UPLOAD, [401, S, 404, SEES, 404, 404, 404]),
    # complaints: the public routes (no key: 404 for everyone) and the staff's
    Row("POST", "/api/v1/public/complaints", {}, [422] * 7),
    Row("GET", "/api/v1/public/offices", None, [200] * 7),
    Row("GET", "/api/v1/public/challenge", None, [200] * 7),
    # the portal's reports
    Row("POST", "/api/v1/public/lost-reports", {"district": "SPO"}, [422] * 7),
    Row("GET", "/api/v1/public/lost-reports/{LRN}/acknowledgement.pdf?k=WRONG", None, [404] * 7),
    Row("GET", "/api/v1/public/verify/{LRN}?c=WRONG", None, [404] * 7),
    Row("POST", "/api/v1/public/security-requests", {"district": "SPO"}, [422] * 7),
    Row("GET", "/api/v1/public/security-requests/{SRN}?mobile=9000000000", None, [404] * 7),
    Row("GET", "/api/v1/public/events/{EV}", None, [200] * 7),
    Row("POST", "/api/v1/public/events/{EV}/reports", {"kind": "praise", "text": "x"}, [422] * 7),
    Row("POST", "/api/v1/lost-reports", {"district": "SPO"}, [401, 422, 422, 403, 422, 403, 422]),
    Row("GET", "/api/v1/lost-reports", None, API_ANY),
    Row("GET", "/api/v1/lost-reports/{LR}", None, API_SEEN_C),
    Row("GET", "/api/v1/lost-reports/{LR}/matches", None, API_SEEN_C),
    Row("GET", "/api/v1/lost-reports/{LR}/acknowledgement.pdf", None, API_SEEN_C),
    Row("POST", "/api/v1/found-articles", {"office": "SPO"}, [401, 422, 422, 403, 422, 403, 422]),
    Row("GET", "/api/v1/found-articles", None, API_ANY),
    Row("GET", "/api/v1/security-requests/board", None, API_ANY),
    Row("GET", "/api/v1/security-requests/{SR}", None, API_SEEN_C),
    Row("POST", "/api/v1/security-requests/{SR}/acknowledge", {}, [401, S, S, 403, 404, 403, S]),
    Row(
        "POST",
        "/api/v1/security-requests/{SR}/resolve",
        {},
        [401, 422, 422, 403, 422, 403, 422],
    ),
    Row("POST", "/api/v1/events", {}, [401, 403, 422, 403, 422, 403, 422]),
    Row("GET", "/api/v1/events", None, API_ANY),
    Row("GET", "/api/v1/events/{EV}", None, API_SEEN_C),
    Row("GET", "/api/v1/events/{EV}/reports", None, API_SEEN_C),
    Row("GET", "/api/v1/events/{EV}/poster.pdf", None, API_SEEN_C),
    # confidential tips
    Row("POST", "/api/v1/public/tips", {}, [422] * 7),
    Row("GET", "/api/v1/public/tips/me", None, [404] * 7),
    Row("POST", "/api/v1/public/tips/me/messages", {"text": "x"}, [404] * 7),
    Row("POST", "/api/v1/public/tips/me/attachments", UPLOAD, [404] * 7),
    Row("GET", "/api/v1/tips", None, API_NONE),
    Row("GET", "/api/v1/tips/counts", None, [401, 403, 200, 403, 200, 403, 200]),
    Row("GET", "/api/v1/tips/{T}", None, API_NONE),
    Row("POST", "/api/v1/tips/{T}/messages", {"text": "x"}, API_NONE),
    Row("POST", "/api/v1/tips/{T}/close", {"remarks": "x"}, API_NONE),
    Row("POST", "/api/v1/tips/{T}/abuse", {}, API_NONE),
    Row("POST", "/api/v1/tips/{T}/ban", {"remarks": "x"}, API_NONE),
    # the MIS
    *[Row("GET", f"/api/v1/mis/{r}?office=SPO", None, API_MIS) for r in MIS_REPORTS],
    Row("GET", "/api/v1/mis/pendency", None, API_MIS_OWN),
    Row("GET", "/api/v1/mis/pendency?office=SPO&format=csv", None, API_MIS),
    Row("GET", "/api/v1/mis/pendency?office=SPO&format=pdf", None, API_MIS),
    Row("GET", "/api/v1/mis/items?report=pendency&office=SPO", None, API_MIS),
    # station feedback and grades
    Row(
        "GET", "/api/v1/offices/PS1/feedback-poster.pdf", None, [401, 403, 200, 403, 404, 200, 200]
    ),
    Row(
        "GET", "/api/v1/offices/NOPE/feedback-poster.pdf", None, [401, 403, 404, 403, 404, 404, 404]
    ),
    Row("POST", "/api/v1/public/feedback", {}, [422] * 7),
    Row("GET", "/api/v1/feedback/grades", None, [401, 403, 200, 200, 200, 403, 200]),
    Row("GET", "/api/v1/feedback/grades?office=SPO", None, [401, 403, 200, 200, 404, 403, 200]),
    # Open311 GeoReport v2 (errors in its own format)
    Row("GET", "/open311/v2/discovery.json", None, [200] * 7),
    Row("GET", "/open311/v2/services.json", None, [200] * 7),
    Row("GET", "/open311/v2/services/complaint-theft.json", None, [200] * 7),
    Row("GET", "/open311/v2/requests.json", None, [400] * 7),
    Row("POST", "/open311/v2/requests.json", None, [400] * 7),
    Row("GET", "/open311/v2/requests/X-C-2026-000001-AAAAAAAAAA.json", None, [404] * 7),
    Row("GET", "/open311/v2/tokens/nothing.json", None, [404] * 7),
    Row("GET", "/api/v1/public/complaints/{CN}", None, [404] * 7),
    Row("GET", "/api/v1/public/complaints/{CN}/acknowledgement.pdf", None, [404] * 7),
    Row("GET", "/api/v1/public/complaints/{CN}/action-report.pdf", None, [404] * 7),
    Row("POST", "/api/v1/public/complaints/{CN}/attachments", UPLOAD, [404] * 7),
    Row("POST", "/api/v1/public/complaints/{CN}/feedback", {"satisfied": True}, [404] * 7),
    Row("POST", "/api/v1/complaints", COMPLAINT, [401, S, 422, 403, S, 403, S]),
    Row("GET", "/api/v1/complaints", None, API_ANY),
    Row("GET", "/api/v1/complaints/pendency", None, [401, 200, 200, 200, 200, 403, 200]),
    Row("GET", "/api/v1/complaints/{C}", None, API_SEEN_C),
    Row("GET", "/api/v1/complaints/{C}/acknowledgement.pdf", None, API_SEEN_C),
    Row("GET", "/api/v1/complaints/999", None, API_NONE),
    Row(
        "POST",
        "/api/v1/complaints/{C}/route",
        {"station": "PS1"},
        [401, 409, 422, SEES, 404, 404, 409],
    ),
    Row(
        "POST",
        "/api/v1/complaints/{C}/assign",
        {"io": "PS1-SHO"},
        [401, 403, 422, 403, 404, 403, S],
    ),
    Row(
        "POST",
        "/api/v1/complaints/{C}/interim",
        {"text": "x"},
        [401, 403, 422, SEES, 404, 404, 409],
    ),
    Row(
        "POST",
        "/api/v1/complaints/{C}/action-report",
        {"text": "x"},
        [401, 403, 422, SEES, 404, 404, 409],
    ),
    Row("POST", "/api/v1/complaints/{C}/attachments", UPLOAD, [401, S, 422, SEES, 404, 404, S]),
    Row(
        "POST",
        "/api/v1/complaints/{C}/close",
        {"remarks": "x"},
        [401, 403, 422, 403, 404, 403, 409],
    ),
    # attachments
    Row("GET", "/api/v1/attachments/{FA}", None, API_MINE),
    Row("GET", "/api/v1/attachments/{RA}", None, API_MINE),
    Row("GET", "/api/v1/attachments/999", None, API_NONE),
]


def is_api(row: Row) -> bool:
    return row.path.startswith(("/api/", "/open311/"))


CASES = [
    pytest.param(row, role, want, id=f"{row.method} {row.path} {role}")
    for row in PAGES + API
    for role, want in zip(API_ROLES if is_api(row) else ROLES, row.expect, strict=True)
    if want is not S
]


# --- the world the rows are asked of -----------------------------------------------------------


class World:
    """One app, its data and a logged-in browser and a token per role, made when first asked."""

    def __init__(self, app, ids):
        self.app, self.ids = app, ids
        self._browsers, self._tokens = {}, {}

    def token(self, username: str, fresh=False) -> dict:
        if fresh or username not in self._tokens:
            resp = self.app.test_client().post(
                "/api/v1/token", json={"username": username, "password": PASSWORD}
            )
            assert resp.status_code == 200, resp.get_json()
            headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
            if fresh:
                return headers
            self._tokens[username] = headers
        return self._tokens[username]

    def browser(self, role: str, fresh=False):
        """A client logged in as `role` (none for anon) and its CSRF token."""
        if fresh or role not in self._browsers:
            client = self.app.test_client()
            if role != "anon":
                assert Auth(client).login(role).status_code == 302
            token = csrf_from(
                client.get("/login" if role == "anon" else "/").get_data(as_text=True)
            )
            if fresh:
                return client, token
            self._browsers[role] = client, token
        return self._browsers[role]


@pytest.fixture(scope="module")
def world(s3_server, migrated_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    app = start_app(config_for(new_database(migrated_template, folder), s3_server, folder))
    try:
        with app.extensions["eoffice.db"].sessionmaker() as session:
            load_small_org(session)
            ids = {
                "O": session.scalar(sa.select(Office.id).where(Office.code == "SPO")),
                "K": desk(session, "SPO-HC").id,
                "U": user(session, "clerk").id,
            }
        world = World(app, ids)
        clerk = Caller(app.test_client(), world.token("clerk"))
        ids["F"] = new_file(clerk, "गोपनीय पत्रावली", head="3", category="A")["id"]
        note(clerk, ids["F"], "पहली टिप्पणी")
        ids["D"] = new_draft(clerk, ids["F"])["id"]
        ids["R"] = receipt(clerk, "डाक", sender={"name": "क"})["id"]  # by hand: acknowledged
        for key, path, data, name, kind in [
            ("FA", f"/api/v1/files/{ids['F']}/attachments", PDF, "पत्र.pdf", "application/pdf"),
            ("RA", f"/api/v1/receipts/{ids['R']}/attachments", PNG, "स्कैन.png", "image/png"),
        ]:
            resp = upload(clerk, path, data, name, kind)
            assert resp.status_code == 201, resp.get_json()
            ids[key] = resp.get_json()["id"]
        made = app.test_client().post("/api/v1/public/complaints", json=COMPLAINT)
        assert made.status_code == 201, made.get_json()
        ids["CN"] = made.get_json()["number"]
        with app.extensions["eoffice.db"].sessionmaker() as session:
            ids["C"] = session.scalar(sa.select(Complaint.id).where(Complaint.number == ids["CN"]))
        # the portal: a lost report and a security request filed at Thana One, an event there
        public = app.test_client()
        for key, path, body in [
            ("LRN", "/api/v1/public/lost-reports", LOST),
            ("SRN", "/api/v1/public/security-requests", SECURITY),
        ]:
            made = public.post(path, json=body)
            assert made.status_code == 201, made.get_json()
            ids[key] = made.get_json()["number"]
        officer = Caller(app.test_client(), world.token("officer"))
        made = officer.post("/api/v1/events", json={**EVENT, "desk": "PS1-SHO"})
        assert made.status_code == 201, made.get_json()
        ids["EV"] = made.get_json()["id"]
        made = public.post(
            "/api/v1/public/tips",
            json={**TIP, "altcha": solve_altcha(public)},
        )
        assert made.status_code == 201, made.get_json()
        with app.extensions["eoffice.db"].sessionmaker() as session:
            ids["LR"] = session.scalar(
                sa.select(LostReport.id).where(LostReport.number == ids["LRN"])
            )
            ids["SR"] = session.scalar(
                sa.select(SecurityRequest.id).where(SecurityRequest.number == ids["SRN"])
            )
            ids["T"] = session.scalar(sa.select(Tip.id))
        yield world
    finally:
        app.extensions["eoffice.db"].dispose()


def fill(value, ids):
    """The row's body with the world's ids in: "{R}" alone becomes the number."""
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def ask(world: World, row: Row, role: str):
    ids = {**world.ids, "today": dt.date.today().isoformat()}
    url = row.path.format(**ids)
    if is_api(row):
        headers = {}
        if role != "anon":
            headers = world.token("officer" if role == AT_DESK else role, fresh=row.fresh)
        if role == AT_DESK:
            url += ("&" if "?" in url else "?") + "desk=SPO-SP"
        body = {}
        if row.send == UPLOAD:
            body = {
                "data": {"file": (io.BytesIO(PDF), "पत्र.pdf", "application/pdf")},
                "content_type": "multipart/form-data",
            }
        elif row.send is not None:
            body = {"json": fill(row.send, ids)}
        return world.app.test_client().open(url, method=row.method, headers=headers, **body)
    client, token = world.browser(role, fresh=row.fresh)
    if row.send is None:
        return client.open(url, method=row.method)
    prefix, fields = row.send
    key = f"{prefix}-" if prefix else ""
    data = {f"{key}csrf_token": token}
    data.update({f"{key}{k}": str(v).format(**ids) for k, v in fields.items()})
    return client.open(url, method=row.method, data=data)


# --- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("row,role,want", CASES)
def test_access(world, row, role, want):
    resp = ask(world, row, role)
    if is_api(row):
        assert resp.status_code == want, (row.method, row.path, role, resp.get_json())
        if want >= 400 and row.path.startswith("/open311/"):  # GeoReport v2's own errors
            assert {"code", "description"} <= set(resp.get_json()[0])
        elif want >= 400:
            assert set(resp.get_json()["error"]) >= {"code", "message"}
    elif want == L:
        assert resp.status_code == 302, (row.method, row.path, role)
        assert "/login" in resp.headers["Location"]
    else:
        tail = resp.get_data()[-600:].decode(errors="replace")
        assert resp.status_code == want, (row.method, row.path, role, tail)


def test_every_route_declares_its_permission(world):
    app = world.app
    with app.test_request_context():
        missing = [
            rule.rule for rule in app.url_map.iter_rules() if declared_action(rule.endpoint) is None
        ]
    assert missing == []


def test_every_route_has_a_row(world):
    """Each route and method of the app is in the matrix (a new one must get its row); a row
    that no route answers expects 404 from everyone."""
    app = world.app
    adapter = app.url_map.bind("localhost")
    ones = {key: 1 for key in (*world.ids, "today")}
    covered = set()
    for row in PAGES + API:
        path = urlsplit(row.path.format(**ones)).path
        try:
            rule, _args = adapter.match(path, method=row.method, return_rule=True)
        except HTTPException:
            assert set(row.expect) == {404}, (row.method, row.path)
            continue
        covered.add((rule.rule, row.method))
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.startswith("openapi")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = sorted(routes - covered)
    assert missing == [], "no row for: " + ", ".join(f"{method} {rule}" for rule, method in missing)
