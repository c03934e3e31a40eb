"""The golden path in Chromium: dak is diarised, a file is opened from it, noted and sent; the SP
notes, drafts, revises, approves and issues a letter and closes the file; the inspecting officer
reads the whole history."""

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SUBJECT = "ग्राम रामपुर में रात्रि गश्त बढ़ाने हेतु प्रार्थना पत्र"
CLERK_NOTE = "प्रार्थना पत्र C/1 पर अवलोकनार्थ प्रस्तुत। गश्त बढ़ाने का प्रस्ताव है।"
SP_NOTE = "थानाध्यक्ष को गश्त बढ़ाने हेतु पत्र भेजा जाए।"


def submit(page, selector):
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(selector)


def go(page, link):
    """Follow a link of the top menu; on a phone the menu opens first (☰)."""
    if not page.locator(link).is_visible() and page.locator("label.menu-button").is_visible():
        page.click("label.menu-button")
    submit(page, link)


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    submit(page, "#login-submit")
    assert page.url == f"{base}/"


def logout(page):
    submit(page, "#logout")


@pytest.mark.parametrize(
    "locale,width", [("en-US", 1280), ("hi-IN", 390)], ids=["english-laptop", "hindi-phone"]
)
def test_golden_path(browser, live_server, org, tmp_path, locale, width):
    base = live_server
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        # --- the head clerk diarises the dak ----------------------------------------------------
        login(page, base, "clerk")
        go(page, "#nav-diarise")
        page.select_option("#mode", "hand")
        page.fill("#subject", SUBJECT)
        page.fill("#category", "शिकायत")
        page.select_option("#language", "hi")
        page.fill("#sender_name", "श्रीमती कमला देवी")
        page.fill("#sender_designation", "ग्राम प्रधान")
        page.fill("#sender_organisation", "ग्राम पंचायत रामपुर")
        page.fill("#sender_address", "ग्राम रामपुर, जनपद कन्नौज")
        page.fill("#sender_mobile", "9876543210")
        page.fill("#sender_email", "kamla@example.org")
        page.fill("#letter_number", "ग्रा.पं./12/2026")
        page.fill("#enclosures", "प्रार्थना पत्र की प्रति")
        page.screenshot(path=str(tmp_path / "diarise.png"), full_page=True)
        submit(page, "#diarise-submit")
        receipt_number = page.inner_text("#receipt-number")
        assert re.fullmatch(r"R/\d{4}/\d{6}", receipt_number)
        assert "श्रीमती कमला देवी" in page.content()

        # --- opens a file from it ----------------------------------------------------------------
        submit(page, "#new-file-from-receipt")
        assert page.input_value("#subject") == SUBJECT
        assert page.locator("#file-form input[type=checkbox]:checked").count() == 1
        page.fill("#head", "11")
        page.select_option("#category", "B")
        page.select_option("#priority", "immediate")
        submit(page, "#create-file-submit")
        file_url = page.url
        file_number = page.inner_text("#file-number")
        assert re.fullmatch(r"11/1/\d{4}-Estt", file_number)
        assert page.locator("#c1").inner_text().startswith("C/1")

        # --- writes the first note and sends the file to the SP ----------------------------------
        page.fill("#note-text", CLERK_NOTE)
        submit(page, "#note-submit")
        assert CLERK_NOTE.split(" C/1")[0] in page.inner_text("#n1")
        assert page.locator("#n1 a.cite[href='#c1']").count() == 1
        # like the paper file: two sides next to each other on a laptop, stacked on a phone
        page.set_viewport_size({"width": 1280, "height": 900})
        noting, corr = page.locator("#noting").bounding_box(), page.locator("#correspondence")
        assert corr.bounding_box()["x"] > noting["x"] + noting["width"] - 1
        page.screenshot(path=str(tmp_path / "file-clerk.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 800})
        noting = page.locator("#noting").bounding_box()
        assert corr.bounding_box()["y"] >= noting["y"] + noting["height"] - 1
        page.screenshot(path=str(tmp_path / "file-phone.png"), full_page=True)
        page.set_viewport_size({"width": width, "height": 900})
        page.select_option("#send-to", "SPO-SP")
        page.fill("#send-remarks", "अवलोकनार्थ एवं आदेशार्थ")
        submit(page, "#send-submit")
        assert "SPO-SP" in page.inner_text("#file-holder")
        assert page.locator("#note-form").count() == 0
        assert page.locator("#pull-back-form").count() == 1
        logout(page)

        # --- the officer, at the SP desk, finds it unread in the inbox ---------------------------
        login(page, base, "officer")
        page.select_option("#desk-select", "SPO-SP")
        submit(page, ".desk-switch button")
        assert page.locator("#desk-select").input_value() == "SPO-SP"
        go(page, "#nav-inbox")
        row = page.locator(f'#file-list tr[data-number="{file_number}"]')
        assert row.get_attribute("data-opened") == "no"
        assert "unread" in row.get_attribute("class")
        page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
        submit(page, f'#file-list tr[data-number="{file_number}"] a.file-link')
        assert page.url == file_url
        assert "final" in page.locator("#n1").get_attribute("class").split()  # marked final

        # --- adds a note, drafts a letter, revises it ---------------------------------------------
        page.fill("#note-text", SP_NOTE)
        submit(page, "#note-submit")
        assert SP_NOTE in page.inner_text("#n2")
        page.click("#new-draft summary")
        page.fill("#draft-title", "थानाध्यक्ष थाना एक को पत्र")
        page.fill("#draft-body", "सेवा में,\nथानाध्यक्ष\nकृपया गश्त बढ़ाएं।")
        submit(page, "#draft-submit")
        assert page.inner_text("#draft-version") == "1"
        page.fill("#revise-body", "सेवा में,\nथानाध्यक्ष\nकृपया रात्रि गश्त तत्काल बढ़ाएं।")
        submit(page, "#revise-submit")
        assert page.inner_text("#draft-version") == "2"
        submit(page, "a.compare-link")
        assert "रात्रि गश्त तत्काल" in page.inner_text("#diff tr.diff-add")
        assert "कृपया गश्त बढ़ाएं।" in page.inner_text("#diff tr.diff-del")
        page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
        submit(page, "#draft-link")

        # --- approves and issues it ---------------------------------------------------------------
        page.check("#approve-confirm")  # approving and issuing ask for a confirmation
        submit(page, "#approve-submit")
        assert page.locator("#draft-meta").get_attribute("data-status") == "approved"
        assert page.inner_text("#approved-version").startswith("2")
        page.fill("#issue-addressees-0-name", "थानाध्यक्ष")
        page.fill("#issue-addressees-0-designation", "थाना एक")
        page.check("#issue-confirm")
        submit(page, "#issue-submit")
        dispatch = page.inner_text("#dispatch-number")
        assert re.fullmatch(r"SPO/D/\d{4}/\d{5}", dispatch)
        assert dispatch in page.inner_text(".flash-info >> nth=-1")

        # --- closes the file with remarks ---------------------------------------------------------
        submit(page, "#file-link")
        assert page.locator("#c2.corr-issued").count() == 1
        page.fill("#close-remarks", "पत्र प्रेषित, पत्रावली निस्तारित")
        submit(page, "#close-submit")
        assert page.locator("#file-status").get_attribute("data-status") == "closed"
        assert page.locator("#reopen-form").count() == 1
        assert page.locator("#note-form").count() == 0
        logout(page)

        # --- the inspecting officer reads the whole history ---------------------------------------
        login(page, base, "auditor")
        go(page, "#nav-inbox")
        submit(page, "#tab-visible")
        submit(page, f'#visible-list tr[data-number="{file_number}"] a.file-link')
        assert page.inner_text("#file-number") == file_number
        notes = page.locator("#notes li.note")
        assert notes.count() == 2
        assert CLERK_NOTE.split(" C/1")[0] in notes.nth(0).inner_text()
        assert SP_NOTE in notes.nth(1).inner_text()
        kinds = [r.get_attribute("data-kind") for r in page.locator("#movements tbody tr").all()]
        assert kinds == ["created", "sent", "closed"]
        register = page.inner_text("#movements")
        assert "अवलोकनार्थ एवं आदेशार्थ" in register
        assert "पत्र प्रेषित, पत्रावली निस्तारित" in register
        assert page.locator("#c1 a").get_attribute("href").startswith("/receipts/")
        assert page.locator("#correspondence-list li").count() == 2
        assert dispatch in page.inner_text("#drafts")
        for form in ("#note-form", "#send-form", "#close-form", "#reopen-form"):
            assert page.locator(form).count() == 0
        page.screenshot(path=str(tmp_path / "file-auditor.png"), full_page=True)
    finally:
        context.close()
