"""Hindi pages speak Hindi: every page and form error a user of the demo district meets,
rendered in Hindi, holds no English word except user data, codes and numbers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import csrf_from
from tests.factories import Caller, new_draft, new_file, note, receipt

WORD = re.compile(r"[A-Za-z]{2,}")
# what may stay in Latin letters on a Hindi page: codes, numbers, names the organisation gave
# in English only, the users' own data, and the product's name
ALLOWED = {
    "IST",
    "PDF",
    "API",
    "JSON",
    "OR",
    "AND",
    "NOT",  # zone, formats, search operators
    "PNG",
    "JPEG",
    "TIFF",
    "DOCX",
    "ODT",
    "MB",  # file types and sizes, as written in Hindi too
    "English",  # the language switch offers English by its own name
    "eoffice",  # the product's name
}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.skip = 0
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "option", "time"):
            self.skip += 1
        if self.skip:
            return
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.out.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre", "option", "time") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


# desk, file and receipt codes (SPO-HC, R/2026/000001), and event names (auth.login, auth.)
CODE = re.compile(r"\b[A-Z0-9]+(?:[-/.][A-Za-z0-9]+)+\b|\b[a-z_]+\.(?:[a-z_]+\b)?")


def english_words(page: str, user_data: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(page)
    text = " ".join(parser.out)
    text = CODE.sub(" ", text)
    for value in sorted(user_data, key=len, reverse=True):
        text = text.replace(value, " ")
    return {w for w in WORD.findall(text) if w not in ALLOWED}


USER_DATA = {
    # names and codes from the test organisation (tests/conftest.py SMALL_ORG) and the records
    # made below: what users typed stays as they typed it
    "Ram Kumar",
    "Meera",
    "Pradeep",
    "Admin",
    "Other SP",
    "Other District",
    "Inspection",
    "SP Other",
    "SHO",
    "Head Clerk",
    "SP Office",
    "Range Office",
    "Thana One",
    "Establishment",
    "Estt",
    "clerk",
    "officer",
    "auditor",
    "admin",
    "other",
    "RNG",
    "SPO",
    "PS1",
    "OTHER",
    "SP",
}


def _visit(client, auth, username, paths):
    auth.login(username)
    client.post("/language", data={"lang": "hi", "csrf_token": auth.csrf()})
    found = {}
    for path in paths:
        resp = client.get(path)
        words = english_words(resp.get_data(as_text=True), USER_DATA)
        if words:
            found[path] = sorted(words)
    auth.logout()
    return found


def test_every_page_and_form_error_is_hindi(client, auth, org, token_for, app):
    clerk = Caller(client, token_for("clerk"))
    r = receipt(clerk, subject="ग्राम में गश्त हेतु प्रार्थना पत्र")
    f = new_file(clerk, subject="गश्त व्यवस्था", receipt_ids=[r["id"]])
    note(clerk, f["id"], "प्रार्थना पत्र C/1 पर अवलोकनार्थ प्रस्तुत।")
    d = new_draft(clerk, f["id"])
    other = receipt(clerk, subject="दूसरी डाक")
    app.extensions["eoffice.search"].index()
    found = _visit(
        client,
        auth,
        "clerk",
        [
            "/",
            "/files/inbox",
            "/files/sent",
            "/files/parked",
            "/files/closed",
            "/files/",
            "/files/new",
            f"/files/{f['id']}",
            f"/drafts/{d['id']}",
            f"/drafts/{d['id']}/compare",
            "/receipts/",
            "/receipts/new",
            f"/receipts/{other['id']}",
            "/search/",
            "/search/?q=गश्त",
            "/search/?q=(गश्त",
            "/search/?q=श*",
            "/search/?q=%22गश्त",
            "/tokens",
            "/admin/",
            "/files/999999",
            "/no/such/page",
        ],
    )
    found |= {
        f"admin {k}": v
        for k, v in _visit(
            client,
            auth,
            "admin",
            [
                "/admin/",
                "/admin/desks",
                "/admin/users",
                "/admin/desks/1",
                "/admin/users/1",
                "/admin/offices/1",
                "/audit/",
            ],
        ).items()
    }
    # form errors: forms sent empty
    auth.login("clerk")
    client.post("/language", data={"lang": "hi", "csrf_token": auth.csrf()})
    for path, data in (
        ("/files/new", {}),
        ("/receipts/new", {"sender_email": "not-an-address", "received_on": "kal"}),
        (f"/files/{f['id']}/notes", {"note-text": ""}),
        (f"/files/{f['id']}/send", {"send-to": ""}),
    ):
        page = client.get("/files/new" if path.startswith("/files/new") else f"/files/{f['id']}")
        token = csrf_from(page.get_data(as_text=True))
        body = {"csrf_token": token, **{k.split("-")[0] + "-csrf_token": token for k in data}}
        resp = client.post(path, data={**body, **data})
        words = english_words(resp.get_data(as_text=True), USER_DATA)
        if words:
            found[f"POST {path}"] = sorted(words)
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())
