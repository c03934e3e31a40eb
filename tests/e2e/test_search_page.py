"""The search page in Chromium: an inspecting officer types Hindi, sees the highlighted hit and
opens the file; a bad query is explained on the page."""

import pytest

from tests.conftest import PASSWORD
from tests.factories import new_file, note

pytestmark = pytest.mark.e2e


def test_auditor_finds_a_file_by_a_hindi_word(browser, live_server, app, api, tmp_path):
    thread, stop = app.extensions["eoffice.search"].start_thread(interval=0.1)
    try:
        clerk = api("clerk")
        file = new_file(clerk, "थाना एक में साइकिल चोरी की शिकायत")
        note(clerk, file["id"], "शिकायतकर्ता की फ़ाइल प्रस्तुत है।")
        context = browser.new_context(locale="hi-IN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            page.goto(f"{live_server}/login")
            page.fill("#username", "auditor")
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("#login-submit")
            with page.expect_navigation():
                page.click("#nav-search")
            page.fill("#q", "फाइल")  # typed without the nukta
            # the index may still be catching up with the writes above: ask until it answers
            for _ in range(50):
                with page.expect_navigation():
                    page.press("#q", "Enter")
                if page.locator("#search-results li.hit").count():
                    break
                page.wait_for_timeout(100)
            hit = page.locator("#search-results li.hit").first
            assert hit.get_attribute("data-kind") == "note"
            assert hit.locator("mark").inner_text() == "फ़ाइल"
            page.screenshot(path=str(tmp_path / "search-hi.png"), full_page=True)
            with page.expect_navigation():
                hit.locator(".hit-head a").click()
            assert page.inner_text("#file-number") == file["number"]
            with page.expect_navigation():
                page.click("#nav-search")
            page.fill("#q", "(")
            with page.expect_navigation():
                page.press("#q", "Enter")
            assert page.locator("#q-error").is_visible()
        finally:
            context.close()
    finally:
        stop.set()
        thread.join(timeout=30)
