"""A person logs in with Chromium, switches to Hindi, switches desk, and logs out."""

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")


def test_login_then_switch_to_hindi(page, live_server, org, tmp_path):
    login(page, live_server, "clerk")
    page.wait_for_url(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome, Ram Kumar" in page.content()
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "hi"
    heading = page.locator("h1").inner_text()
    assert "राम कुमार" in heading  # the Hindi name, in the Hindi greeting
    assert re.search(r"[\u0900-\u097F]", page.locator("#logout").inner_text())
    page.screenshot(path=str(tmp_path / "home-hi.png"), full_page=True)
    # the choice survives logging out and in again
    page.click("#logout")
    page.wait_for_url(re.compile(r".*/login"))
    login(page, live_server, "clerk")
    page.wait_for_url(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "hi"


def test_wrong_password_shows_an_error_and_keeps_the_username(page, live_server, org):
    page.goto(f"{live_server}/login")
    page.fill("#username", "clerk")
    page.fill("#password", "not the password")
    page.click("#login-submit")
    assert page.locator(".flash-error").is_visible()
    assert page.input_value("#username") == "clerk"
    assert page.url.endswith("/login")


def test_desk_switcher_and_phone_layout(browser, live_server, org):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        login(page, live_server, "officer")
        page.wait_for_url(f"{live_server}/")
        page.select_option("#desk-select", "SPO-SP")
        page.click(".desk-switch button")
        page.wait_for_load_state()
        assert page.locator("#desk-select").input_value() == "SPO-SP"
        # on a phone the menu folds behind its button
        assert not page.locator("nav.menu").is_visible()
        page.click(".menu-button")
        assert page.locator("nav.menu").is_visible()
    finally:
        context.close()
