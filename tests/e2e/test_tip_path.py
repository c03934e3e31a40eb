"""The tip path in Chromium, in Hindi at phone width (390 x 844): a citizen sends an anonymous
tip with a photo from a browser that runs no JavaScript and writes the receipt down; the SP (role
`tips`) reads it and replies on the staff pages; the citizen, now with JavaScript (the form's
proof-of-work is solved by the page's script), reads the reply with the receipt and answers; a
second tip goes with JavaScript too. No page scrolls sideways; each public page is under 100 KB."""

from __future__ import annotations

import copy

import pytest
from PIL import Image

from eoffice.org.service import load_org
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TIP = "पुराने गोदाम के पीछे हर रात अवैध शराब उतारी जाती है, दो गाड़ियाँ आती हैं।"
REPLY = "सूचना के लिए धन्यवाद। गाड़ियाँ किस समय आती हैं?"
ANSWER = "रात लगभग ग्यारह बजे, कन्नौज रोड की ओर से।"

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
        {"code": "KNJ-SP", "title": "SP", "title_hi": "पुलिस अधीक्षक", "office": "KNJ"},
        {"code": "PS-SHO", "title": "SHO", "title_hi": "थानाध्यक्ष", "office": "PS"},
    ],
    "users": [
        {
            "username": "sp.knj",
            "name": "Anil Kumar Singh",
            "name_hi": "अनिल कुमार सिंह",
            "password": PASSWORD,
            "roles": ["officer", "tips"],
            "desks": ["KNJ-SP"],
            "locale": "hi",
        }
    ],
}


@pytest.fixture
def tips_org(db):
    load_org(db, copy.deepcopy(ORG))
    db.commit()


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def check_page(page, name, size=None):
    assert page.locator("html").get_attribute("lang") == "hi", name
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, f"{name} scrolls sideways at {PHONE['width']} px"
    if size is not None:
        assert size < 100_000, f"{name} is {size} bytes"
    # large touch targets: the buttons to send are at least 44 px high
    for box in page.locator("button.big").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 44, f"{name}: a button {box} px high"


def photo(tmp_path):
    path = tmp_path / "IMG_20261130.jpg"
    exif = Image.Exif()
    exif[0x010F] = "E2ECameraMaker"
    Image.new("RGB", (40, 30), (20, 120, 40)).save(path, "JPEG", exif=exif.tobytes())
    return path


def read_receipt(page, base, receipt):
    page.goto(f"{base}/c/tip/me")
    check_page(page, "tip-open")
    page.fill("#receipt", receipt)
    submit(page, "#tip-open-submit")
    assert page.locator("#conversation").count() == 1


def test_tip_path(browser, live_server, app, tips_org, tmp_path):
    base = live_server
    plain = browser.new_context(locale="hi-IN", viewport=PHONE, java_script_enabled=False)
    scripted = browser.new_context(locale="hi-IN", viewport=PHONE)
    staff = browser.new_context(locale="hi-IN", viewport=PHONE)
    try:
        # --- 1. no JavaScript: the tip, anonymous, with a photo -----------------------------------
        page = plain.new_page()
        response = page.goto(f"{base}/c/")
        submit(page, "#home-tip")
        check_page(page, "tip-form", len(page.content().encode()))
        assert page.locator("#station optgroup").get_attribute("label") == "जनपद कन्नौज"
        page.select_option("#district", "KNJ")
        page.select_option("#station", "PS")
        page.select_option("#category", "illegal_trade")
        page.fill("#text", TIP)
        page.fill("#place", "पुराना गोदाम, गांधी बाज़ार")
        page.fill("#when", "हर रात")
        page.set_input_files("#files", str(photo(tmp_path)))
        submit(page, "#tip-submit")
        receipt = page.inner_text("#tip-receipt").replace(" ", "").strip()
        assert len(receipt) == 16 and receipt.isdigit()
        assert page.locator("#tip-files").count() == 1
        check_page(page, "tip-sent")
        read_receipt(page, base, receipt)
        assert TIP in page.inner_text("#conversation")
        assert page.locator("#tip-status").get_attribute("data-status") == "received"
        assert receipt not in page.url

        # --- 2. the SP reads it and replies -------------------------------------------------------
        sp = staff.new_page()
        sp.goto(f"{base}/login")
        sp.fill("#username", "sp.knj")
        sp.fill("#password", PASSWORD)
        submit(sp, "#login-submit")
        sp.goto(f"{base}/tips/")
        submit(sp, "#tips tbody tr a")
        assert TIP in sp.inner_text("#tip-text")
        assert sp.locator("#attachments li").count() == 1
        sp.fill("#reply-text", REPLY)
        submit(sp, "#reply-submit")
        assert REPLY in sp.inner_text("#conversation")

        # --- 3. with JavaScript: the reply read, an answer sent -----------------------------------
        page = scripted.new_page()
        read_receipt(page, base, receipt)
        assert REPLY in page.inner_text("#conversation")
        assert page.locator("#tip-status").get_attribute("data-status") == "answered"
        page.fill("#text", ANSWER)
        submit(page, "#tip-message-submit")
        assert ANSWER in page.inner_text("#conversation")
        check_page(page, "tip-conversation", len(page.content().encode()))
        sp.reload()
        assert ANSWER in sp.inner_text("#conversation")

        # --- 4. with JavaScript, a new tip: the page's script solves the proof-of-work ------------
        page.goto(f"{base}/c/tip")
        page.select_option("#district", "KNJ")
        page.select_option("#category", "event")
        page.fill("#text", "दशहरा मेले में निकास का रास्ता बंद है।")
        page.fill("#details", "दशहरा मेला, रामलीला मैदान")
        with page.expect_navigation():
            page.click("#tip-submit")
        second = page.inner_text("#tip-receipt").replace(" ", "").strip()
        assert len(second) == 16 and second != receipt
        assert response is not None
    finally:
        plain.close()
        scripted.close()
        staff.close()
