"""Attaching in Chromium: several files chosen at once go up one by one with a progress bar; a
refused one is reported beside it while the others are kept; the PDF and the picture are then
previewed on the file page."""

import pytest

from tests.conftest import PASSWORD
from tests.factories import EXE, PDF, make_file, png_bytes

pytestmark = pytest.mark.e2e

HINDI_NAME = "थाना रिपोर्ट.pdf"


def test_upload_with_progress_and_previews(browser, live_server, org, db, tmp_path):
    fid = make_file(db).id
    files = {
        HINDI_NAME: PDF,
        "photo.png": png_bytes(),
        "setup.pdf": EXE,  # a program renamed .pdf
    }
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "clerk")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-submit")
        page.goto(f"{live_server}/files/{fid}")
        assert page.locator("#attachment-list li.empty").count() == 1

        page.set_input_files("#attachment-files", paths)
        page.click("#attachment-submit")  # the script takes over: no page load
        summary = page.locator("#upload-summary")
        summary.wait_for(state="visible")
        assert summary.inner_text() == "2 of 3 files attached."

        items = page.locator("#upload-progress li")
        assert items.count() == 3
        for i, name in enumerate(files):
            item = items.nth(i)
            assert item.locator(".upload-name").inner_text() == name
            bar = item.locator("progress")
            done = bar.evaluate("b => b.value === b.max && b.max > 0")
            ok = "upload-ok" in item.get_attribute("class")
            assert ok == (name != "setup.pdf"), name
            if ok:
                assert done, name
            else:
                assert "not accepted" in item.locator(".upload-status").inner_text()
        page.screenshot(path=str(tmp_path / "uploaded.png"), full_page=True)
        # the list was refreshed in place, in upload order
        names = page.locator("#attachment-list .attachment-name").all_inner_texts()
        assert names == [HINDI_NAME, "photo.png"]

        # after a reload the previews are there: the picture decodes, the PDF opens in its frame
        page.reload()
        img = page.locator("#attachment-list img")
        img.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('#attachment-list img').complete")
        assert img.evaluate("i => i.naturalWidth") == 4
        page.click(".pdf-preview summary")
        frame = page.locator(".pdf-preview iframe")
        frame.wait_for(state="visible")
        src = frame.get_attribute("src")
        assert src.endswith("/preview")
        # Chromium's PDF viewer opens inside the sandboxed frame
        for _ in range(100):
            if any(f.url.startswith("chrome-extension://") for f in page.frames):
                break
            page.wait_for_timeout(100)
        assert any(f.url.startswith("chrome-extension://") for f in page.frames)
        page.screenshot(path=str(tmp_path / "previews.png"), full_page=True)
        response = context.request.get(live_server + src)
        assert response.status == 200 and response.body() == PDF
        headers = response.headers
        assert headers["content-type"] == "application/pdf"
        assert headers["content-security-policy"].startswith("sandbox;")
        assert headers["x-content-type-options"] == "nosniff"
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        context.close()
