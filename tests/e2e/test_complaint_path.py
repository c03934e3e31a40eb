"""The whole complaint path in Chromium, in Hindi at phone width (390 x 844): a citizen registers
a complaint on the portal and downloads the copy, the copy arrives by mail (real SMTP), the
citizen tracks it; the SHO assigns the IO (the enquiry file opens), the IO records the action
report; the citizen appeals, the SHO decides the appeal with a new report, and the citizen's
"yes" closes the complaint. No page scrolls sideways."""

from __future__ import annotations

import copy

import pytest

from eoffice.org.service import load_org
from tests.conftest import PASSWORD
from tests.mailserver import smtp_server

__all__ = ["smtp_server"]  # the fixture is used (by pytest), says ruff

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
EMAIL = "sunita.devi@example.org"
DESCRIPTION = "मेरी मोटरसाइकिल गांधी बाज़ार से चोरी हो गई। कृपया रिपोर्ट दर्ज कर कार्यवाही करें।"
IO_REPORT = "जांच की गई; मोटरसाइकिल बरामद नहीं हुई, अभियोग पंजीकृत कर विवेचना जारी है।"
APPEAL = "कार्यवाही से संतुष्ट नहीं हूँ, चोर पकड़े नहीं गए।"
SHO_REPORT = "अपील पर पुनः जांच: मोटरसाइकिल बरामद कर शिकायतकर्ता को सुपुर्द की गई।"

LADDER_ORG = {
    "offices": [
        {"code": "KNJ", "name": "District Kannauj", "name_hi": "जनपद कन्नौज", "kind": "district"},
        {
            "code": "CIR",
            "name": "Circle City",
            "name_hi": "क्षेत्राधिकारी नगर",
            "kind": "circle",
            "parent": "KNJ",
        },
        {
            "code": "PS",
            "name": "Thana Kotwali",
            "name_hi": "थाना कोतवाली",
            "kind": "thana",
            "parent": "CIR",
        },
    ],
    "desks": [
        {"code": "KNJ-SP", "title": "SP", "title_hi": "पुलिस अधीक्षक", "office": "KNJ"},
        {
            "code": "CIR-CO",
            "title": "CO City",
            "title_hi": "क्षेत्राधिकारी नगर",
            "office": "CIR",
            "reports_to": "KNJ-SP",
        },
        {
            "code": "PS-SHO",
            "title": "SHO Kotwali",
            "title_hi": "थानाध्यक्ष कोतवाली",
            "office": "PS",
            "reports_to": "CIR-CO",
        },
        {
            "code": "PS-SI1",
            "title": "SI One",
            "title_hi": "उपनिरीक्षक एक",
            "office": "PS",
            "reports_to": "PS-SHO",
        },
    ],
    "users": [
        {
            "username": "sho.kotwali",
            "name": "Rajesh Singh",
            "name_hi": "राजेश सिंह",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["PS-SHO"],
            "locale": "hi",
        },
        {
            "username": "si.kotwali",
            "name": "Anil Yadav",
            "name_hi": "अनिल यादव",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["PS-SI1"],
            "locale": "hi",
        },
    ],
}


@pytest.fixture
def app_config(app_config, smtp_server):
    """The suite's settings, sending mail to the test SMTP server."""
    return {**app_config, **smtp_server.config(), "PUBLIC_URL": "http://police.example"}


@pytest.fixture
def ladder_org(db):
    load_org(db, copy.deepcopy(LADDER_ORG))
    db.commit()
    return LADDER_ORG


def submit(page, selector):
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(selector)


def go(page, link):
    """Follow a link of the top menu; on a phone the menu opens first (☰)."""
    if not page.locator(link).is_visible() and page.locator("label.menu-button").is_visible():
        page.click("label.menu-button")
    submit(page, link)


def check_page(page, shots, name):
    """Hindi, nothing wider than the phone, and a screenshot kept."""
    assert page.locator("html").get_attribute("lang") == "hi", name
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, f"{name} scrolls sideways at {PHONE['width']} px"
    page.screenshot(
        path=str(shots / f"{len(list(shots.iterdir())):02d}-{name}.png"), full_page=True
    )


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    submit(page, "#login-submit")
    assert page.url == f"{base}/"


def open_complaint(page, number):
    go(page, "#nav-complaints")
    row = f'#complaints tr[data-number="{number}"]'
    assert page.locator(row).count() == 1
    submit(page, f"{row} a")
    assert page.locator("#status").count() == 1


def track(page, base, number, key):
    page.goto(f"{base}/c/track")
    page.fill("#number", number)
    page.fill("#key", key)
    submit(page, "#track-submit")
    return page.locator("#status").get_attribute("data-status")


def attachments(message):
    return [(part.get_content_type(), part.get_content()) for part in message.iter_attachments()]


def test_complaint_path(browser, live_server, app, ladder_org, smtp_server, tmp_path):
    base = live_server
    runner = app.extensions["eoffice.jobs"]
    shots = tmp_path / "shots"
    shots.mkdir()
    # the citizen's phone asks for English: the portal still opens in Hindi
    citizen = browser.new_context(locale="en-US", viewport=PHONE, accept_downloads=True)
    staff = browser.new_context(locale="en-US", viewport=PHONE)
    try:
        # --- 1. the citizen registers the complaint and downloads the copy ------------------------
        page = citizen.new_page()
        page.goto(f"{base}/c/complaint")
        assert page.locator("html[lang=hi]").count() == 1
        check_page(page, shots, "complaint-form")
        assert page.locator("#station optgroup").get_attribute("label") == "जनपद कन्नौज"
        page.select_option("#district", "KNJ")
        page.select_option("#station", "PS")
        page.select_option("#category", "theft")
        page.fill("#description", DESCRIPTION)
        page.fill("#incident_place", "गांधी बाज़ार, कन्नौज")
        page.fill("#name", "सुनीता देवी")
        page.fill("#mobile", "9876543210")
        page.fill("#email", EMAIL)
        page.fill("#address", "मोहल्ला क़ाज़ी टोला, कन्नौज")
        submit(page, "#complaint-submit")
        number = page.inner_text("#complaint-number").strip()
        key = page.inner_text("#tracking-key").strip()
        assert number.startswith("KNJ/C/")
        assert key and page.inner_text("#due-on").strip()
        assert page.inner_text("#visit-token").strip()
        assert "थाना कोतवाली" in page.inner_text("#station")
        check_page(page, shots, "registered")
        with page.expect_download() as download:
            page.click("#download-copy")
        copy_pdf = download.value.path().read_bytes()
        assert copy_pdf.startswith(b"%PDF")

        # --- 2. the copy goes out by mail ---------------------------------------------------------
        runner.run_due()
        mails = smtp_server.wait_for(1)
        assert len(mails) == 1
        mail = mails[0]
        assert EMAIL in mail["To"]
        assert smtp_server.envelopes[0][1] == [EMAIL]
        assert number in mail["Subject"]
        pdfs = [body for kind, body in attachments(mail) if kind == "application/pdf"]
        assert len(pdfs) == 1 and pdfs[0].startswith(b"%PDF")

        # --- 3. the citizen tracks it -------------------------------------------------------------
        assert track(page, base, number, key) == "registered"
        assert page.locator("#action-report").count() == 0
        check_page(page, shots, "track-registered")

        # --- 4. the SHO assigns the IO; the enquiry file opens ------------------------------------
        desk = staff.new_page()
        login(desk, base, "sho.kotwali")
        check_page(desk, shots, "sho-home")
        open_complaint(desk, number)
        assert desk.locator("#status").get_attribute("data-status") == "registered"
        assert desk.locator("#level").get_attribute("data-level") == "sho"
        assert "मोटरसाइकिल" in desk.inner_text("#description")
        check_page(desk, shots, "sho-complaint")
        desk.select_option("#assign-io", "PS-SI1")
        submit(desk, "#assign-submit")
        assert desk.locator("#status").get_attribute("data-status") == "assigned"
        assert desk.locator("#level").get_attribute("data-level") == "io"
        assert desk.locator("#file-link").is_visible()
        assert desk.locator("#assign-form").count() == 0
        check_page(desk, shots, "sho-assigned")
        submit(desk, "#logout")

        # --- the IO records the action report -----------------------------------------------------
        login(desk, base, "si.kotwali")
        open_complaint(desk, number)
        assert desk.locator("#file-link").is_visible()
        desk.fill("#report-text", IO_REPORT)
        submit(desk, "#report-submit")
        assert desk.locator("#status").get_attribute("data-status") == "action_reported"
        assert IO_REPORT in desk.inner_text("#action-report")
        check_page(desk, shots, "io-reported")
        submit(desk, "#logout")
        runner.run_due()
        mails = smtp_server.wait_for(2)
        assert len(mails) == 2 and number in mails[1]["Subject"]
        assert smtp_server.envelopes[1][1] == [EMAIL]

        # --- 5. the citizen reads the report and appeals ------------------------------------------
        assert track(page, base, number, key) == "action_reported"
        assert page.locator("#action-report").is_visible()
        assert IO_REPORT in page.inner_text("#action-report")
        check_page(page, shots, "track-reported")
        page.check("input[name=satisfied][value=no]")
        page.fill("#comment", APPEAL)
        submit(page, "#answer-submit")
        assert page.locator("#status").get_attribute("data-status") == "appealed"
        assert page.locator("#level").get_attribute("data-level") == "sho"
        assert page.locator("#answer-form").count() == 0
        assert page.locator('#history li[data-kind="appealed"]').count() == 1
        check_page(page, shots, "track-appealed")

        # --- 6. the SHO, whose level it now is, decides the appeal --------------------------------
        login(desk, base, "sho.kotwali")
        open_complaint(desk, number)
        assert desk.locator("#status").get_attribute("data-status") == "appealed"
        assert desk.locator("#close-form").count() == 0  # an open appeal is decided, not closed
        desk.fill("#report-text", SHO_REPORT)
        submit(desk, "#report-submit")
        assert desk.locator("#status").get_attribute("data-status") == "action_reported"
        assert SHO_REPORT in desk.inner_text("#action-report")
        # the SHO could close it now if the complainant never answered
        assert desk.locator("#close-form").count() == 1
        check_page(desk, shots, "sho-decided")
        submit(desk, "#logout")

        # --- the citizen is satisfied: closed -----------------------------------------------------
        assert track(page, base, number, key) == "action_reported"
        assert SHO_REPORT in page.inner_text("#action-report")
        page.check("input[name=satisfied][value=yes]")
        submit(page, "#answer-submit")
        assert page.locator("#status").get_attribute("data-status") == "closed"
        assert page.locator("#answer-form").count() == 0
        kinds = [li.get_attribute("data-kind") for li in page.locator("#history li").all()]
        assert kinds == [
            "registered",
            "assigned",
            "action_report",
            "appealed",
            "action_report",
            "satisfied",
        ]
        check_page(page, shots, "track-closed")
        assert track(page, base, number, key) == "closed"

        # --- the SHO sees it closed, with nothing left to do --------------------------------------
        login(desk, base, "sho.kotwali")
        open_complaint(desk, number)
        assert desk.locator("#status").get_attribute("data-status") == "closed"
        for form in ("#assign-form", "#report-form", "#close-form", "#interim-form"):
            assert desk.locator(form).count() == 0
        check_page(desk, shots, "sho-closed")
    finally:
        citizen.close()
        staff.close()
