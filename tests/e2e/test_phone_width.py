"""Every page fits a phone: at 360 and 390 px nothing scrolls sideways (Chromium), and every page
speaks Hindi as the demo's users read it. Screenshots of each page are kept under the test's
output folder."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.factories import Caller, new_draft, new_file, note, receipt
from tests.integration.test_hindi_pages import USER_DATA, english_words

pytestmark = pytest.mark.e2e


def _pages(client, token_for) -> list[str]:
    """A file with notes, a draft, a receipt and an attachment, and the pages that show them."""
    clerk = Caller(client, token_for("clerk"))
    r = receipt(clerk, subject="ग्राम रामपुर में रात्रि गश्त बढ़ाने हेतु प्रार्थना पत्र " * 3)
    f = new_file(clerk, subject="गश्त व्यवस्था " * 12, receipt_ids=[r["id"]])
    note(clerk, f["id"], "प्रार्थना पत्र C/1 पर अवलोकनार्थ प्रस्तुत। " * 20)
    d = new_draft(clerk, f["id"])
    other = receipt(clerk, subject="दूसरी डाक")
    return [
        "/",
        "/files/inbox",
        "/files/sent",
        "/files/parked",
        "/files/",
        "/files/new",
        f"/files/{f['id']}",
        f"/drafts/{d['id']}",
        f"/drafts/{d['id']}/compare",
        "/receipts/",
        "/receipts/new",
        f"/receipts/{other['id']}",
        "/search/?q=गश्त",
        "/tokens",
    ]


ADMIN_PAGES = ["/admin/", "/admin/desks", "/admin/users", "/admin/desks/1", "/admin/users/1"]
AUDIT_PAGES = ["/audit/", "/files/"]


@pytest.mark.parametrize("width", [360, 390])
def test_every_page_fits_a_phone(browser, live_server, org, client, token_for, width, tmp_path):
    visits = [("clerk", p) for p in _pages(client, token_for)]
    visits += [("admin", p) for p in ADMIN_PAGES] + [("auditor", p) for p in AUDIT_PAGES]
    context = browser.new_context(
        locale="hi-IN", viewport={"width": width, "height": 800}, device_scale_factor=1
    )
    page = context.new_page()
    wide, who = {}, None
    try:
        for username, path in visits:
            if username != who:
                context.clear_cookies()
                page.goto(f"{live_server}/login")
                page.fill("#username", username)
                page.fill("#password", PASSWORD)
                with page.expect_navigation():
                    page.click("#login-submit")
                who = username
            page.goto(f"{live_server}{path}")
            shot = tmp_path / f"{width}{path.replace('/', '_').replace('?', '_')}.png"
            page.screenshot(path=str(shot), full_page=True)
            # in Hindi, as the browser asked: no English word but user data and codes
            english = english_words(page.content(), USER_DATA)
            if english:
                wide[f"{username} {path} english"] = sorted(english)
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                culprit = page.evaluate(
                    """() => { const w = window.innerWidth; const out = [];
                    for (const el of document.querySelectorAll('body *')) {
                      const r = el.getBoundingClientRect();
                      if (r.right > w + 1) out.push(el.tagName + '.' + el.className + '#' + el.id
                        + ' ' + Math.round(r.right)); }
                    return out.slice(0, 5); }"""
                )
                wide[f"{username} {path}"] = (scroll, culprit)
        assert not wide, wide
    finally:
        context.close()
