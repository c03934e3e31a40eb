"""The portal's forms in Chromium at phone width (390 px), in Hindi, with JavaScript and without:
a lost report (the acknowledgement downloads), a security request (its status) and an event's
report (the proof-of-work solved by the page's script, or the form token without it). No page
scrolls sideways or weighs 100 KB."""

from __future__ import annotations

import copy

import pytest

from eoffice.org.service import load_org
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ORG = {
    "offices": [
        {"code": "KNJ", "name": "District Kannauj", "name_hi": "जनपद कन्नौज", "kind": "district"},
        {
            "code": "PS",
            "name": "Thana Kotwali",
            "name_hi": "थाना कोतवाली",
            "kind": "thana",
            "parent": "KNJ",
        },
    ],
    "desks": [
        {"code": "KNJ-SP", "title": "SP", "office": "KNJ"},
        {"code": "PS-SHO", "title": "SHO", "office": "PS", "reports_to": "KNJ-SP"},
    ],
    "users": [
        {
            "username": "sho",
            "name": "SHO",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["PS-SHO"],
        },
    ],
}


@pytest.fixture
def event_id(app, db):
    load_org(db, copy.deepcopy(ORG))
    db.commit()
    client = app.test_client()
    token = client.post("/api/v1/token", json={"username": "sho", "password": PASSWORD})
    resp = client.post(
        "/api/v1/events",
        json={
            "office": "PS",
            "title": "Ramlila",
            "title_hi": "रामलीला मेला",
            "starts": "2099-10-01T10:00:00+05:30",
            "ends": "2099-10-02T10:00:00+05:30",
        },
        headers={"Authorization": f"Bearer {token.get_json()['token']}"},
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def check(page, name):
    assert page.locator("html").get_attribute("lang") == "hi", name
    assert len(page.content().encode()) < 100_000, f"{name} weighs 100 KB or more"
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, f"{name} scrolls sideways at {PHONE['width']} px"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_portal_forms(browser, live_server, event_id, javascript):
    base = live_server
    context = browser.new_context(
        locale="en-US", viewport=PHONE, java_script_enabled=javascript, accept_downloads=True
    )
    try:
        page = context.new_page()
        # --- a lost mobile phone --------------------------------------------------------------
        page.goto(f"{base}/c/")
        submit(page, "#home-lost")
        check(page, "lost-form")
        page.select_option("#district", "KNJ")
        page.select_option("#station", "PS")
        page.select_option("#kind", "mobile")
        page.fill("#description", "नीले रंग का रेडमी फ़ोन")
        page.fill("#imei", "356938035643809")
        page.fill("#lost_on", "2026-11-30")
        page.fill("#lost_place", "रेलवे स्टेशन, कन्नौज")
        page.fill("#name", "अनीता")
        page.fill("#mobile", "9876543210")
        submit(page, "#lost-submit")
        check(page, "lost-registered")
        number = page.inner_text("#report-number").strip()
        assert number.startswith("KNJ/LR/")
        with page.expect_download() as download:
            page.click("#download-ack")
        assert download.value.path().read_bytes().startswith(b"%PDF")
        verify = page.get_attribute("#verify-link", "href")  # the instance's public address
        page.goto(base + verify[verify.index("/verify/") :])
        assert page.locator("#genuine").count() == 1 and number in page.inner_text("#genuine")
        # --- a security request, then its status -----------------------------------------------
        page.goto(f"{base}/c/")
        submit(page, "#home-security")
        check(page, "security-form")
        page.check("#for_whom-0")
        page.select_option("#district", "KNJ")
        page.fill("#name", "कमला देवी")
        page.fill("#mobile", "9876500011")
        page.fill("#address", "सराय मीरा")
        page.fill("#need", "अकेली रहती हूँ, रात में गश्त चाहिए")
        submit(page, "#security-submit")
        check(page, "security-sent")
        assert page.inner_text("#request-number").startswith("KNJ/SR/")
        submit(page, "#see-status")
        assert page.locator("#status").get_attribute("data-status") == "open"
        # --- an event's report, anonymous --------------------------------------------------------
        bodies = []
        page.on(
            "request",
            lambda r: (
                bodies.append(r.post_data or "")
                if r.method == "POST" and "/c/event/" in r.url
                else None
            ),
        )
        page.goto(f"{base}/c/event/{event_id}")
        check(page, "event-form")
        assert "रामलीला मेला" in page.inner_text("#event-title")
        page.check("#kind-0")
        page.fill("#text", "मेले के पीछे की गली में अंधेरा है")
        page.fill("#place", "पीछे की गली")
        submit(page, "#event-submit")
        check(page, "event-sent")
        assert page.locator("#thanks").get_attribute("data-kind") == "concern"
        (posted,) = [b for b in bodies if "text=" in b]
        # with JavaScript the page's script sent a solved challenge; without, the form token
        assert ("altcha=t." in posted) is not javascript
    finally:
        context.close()
