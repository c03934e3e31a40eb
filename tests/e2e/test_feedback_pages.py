"""Station feedback in Chromium: the visitor's form at phone width (390 px), with JavaScript (the
ALTCHA script solves the challenge) and without (the form token); both under 100 KB, in Hindi,
nothing wider than the phone. The range IG's grade page in Hindi, which shows a new response
without a reload. Screenshots are kept in tests/e2e/screens/ when EOFFICE_KEEP_SCREENS is set."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from eoffice.feedback import service
from eoffice.org.service import load_org
from tests.conftest import PASSWORD
from tests.pow import solve_challenge

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SCREENS = Path(__file__).parent / "screens"
STATIONS = {
    "KTW": ("Thana Kotwali", "थाना कोतवाली"),
    "TRW": ("Thana Tirwa", "थाना तिर्वा"),
    "CHB": ("Thana Chhibramau", "थाना छिबरामऊ"),
    "SAU": ("Thana Saurikh", "थाना सौरिख"),
}
ORG = {
    "offices": [
        {"code": "RG", "name": "Kanpur Range", "name_hi": "कानपुर परिक्षेत्र", "kind": "range"},
        {
            "code": "KNJ",
            "name": "District Kannauj",
            "name_hi": "जनपद कन्नौज",
            "kind": "district",
            "parent": "RG",
        },
        *[
            {"code": c, "name": n, "name_hi": h, "kind": "thana", "parent": "KNJ"}
            for c, (n, h) in STATIONS.items()
        ],
    ],
    "desks": [
        {"code": "RG-IG", "title": "IG", "title_hi": "पुलिस महानिरीक्षक", "office": "RG"},
        {"code": "KNJ-SP", "title": "SP", "office": "KNJ", "reports_to": "RG-IG"},
        *[{"code": f"{c}-SHO", "title": "SHO", "office": c} for c in STATIONS],
    ],
    "users": [
        {
            "username": "ig.kanpur",
            "name": "Alok Verma",
            "name_hi": "आलोक वर्मा",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["RG-IG"],
            "locale": "hi",
        }
    ],
}
GOOD = {"behaviour": 5, "responsiveness": 4, "cleanliness": 5}
POOR = {"behaviour": 2, "responsiveness": 1, "cleanliness": 3}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PUBLIC_URL": "http://police.example", "FEEDBACK_POLL_SECONDS": 2}


@pytest.fixture
def world(app, db):
    load_org(db, copy.deepcopy(ORG))
    db.commit()
    settings = service.Settings.of(app.config)
    # a graded range: an A, a C, a D with bribe reports, and a small sample
    plan = {
        "KTW": [(GOOD, 10, None)] * 11 + [(GOOD, 8, False)],
        "TRW": [(GOOD, 9, None)] * 6 + [(POOR, 5, False)] * 4 + [(GOOD, 7, None)] * 2,
        "CHB": [(POOR, 2, True)] * 3 + [(POOR, 4, None)] * 8,
        "SAU": [(GOOD, 9, None)] * 4,
    }
    for code, rows in plan.items():
        for ratings, recommend, bribe in rows:
            service.submit(
                db,
                settings,
                {"office": code, "ratings": ratings, "recommend": recommend, "bribe_asked": bribe},
            )
    db.commit()
    return settings


def shot(page, tmp_path, name):
    folder = SCREENS if os.environ.get("EOFFICE_KEEP_SCREENS") else tmp_path
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def fill_form(page):
    page.click("label[for=behaviour-4]")
    page.click("label[for=responsiveness-5]")
    page.click("label[for=cleanliness-3]")
    page.click("label[for=recommend-9]")
    page.click("label[for=bribe-no]")
    page.fill("#text", "थाने में अच्छा व्यवहार मिला।")
    with page.expect_navigation():
        page.click("#feedback-submit")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_the_form_at_phone_width(browser, live_server, world, tmp_path, javascript):
    context = browser.new_context(locale="en-US", viewport=PHONE, java_script_enabled=javascript)
    sizes = []
    try:
        page = context.new_page()
        page.on("response", lambda r: sizes.append(len(r.body()) if r.ok else 0))
        page.goto(f"{live_server}/c/feedback/KTW")
        assert page.locator("html").get_attribute("lang") == "hi"
        assert page.locator("#office-name").inner_text() == "थाना कोतवाली"
        assert sum(sizes) < 100_000, sizes  # the page and everything it loads
        assert fits(page)
        # every star and number is a finger-sized target
        box = page.locator("label[for=behaviour-3]").bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        page.click("label[for=behaviour-4]")  # the stars up to the chosen one light up
        lit = page.eval_on_selector("label[for=behaviour-2]", "l => getComputedStyle(l).color")
        unlit = page.eval_on_selector("label[for=behaviour-5]", "l => getComputedStyle(l).color")
        assert lit != unlit
        shot(page, tmp_path, f"feedback-form-390-{'js' if javascript else 'no-js'}")
        fill_form(page)
        assert page.locator("#thanks").is_visible() and fits(page)
    finally:
        context.close()


def test_the_igs_grade_page_in_hindi_updates_live(browser, live_server, app, world, tmp_path):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("#username", "ig.kanpur")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-submit")
        page.goto(f"{live_server}/feedback/grades?office=KNJ")
        assert page.locator("html").get_attribute("lang") == "hi"
        grades = {
            code: page.locator(f'#grades-table tr[data-office="{code}"]').get_attribute(
                "data-grade"
            )
            for code in STATIONS
        }
        assert grades == {"KTW": "A", "TRW": "C", "CHB": "D", "SAU": ""}
        assert page.locator('tr[data-office="SAU"] .grade .tag').is_visible()  # small sample
        assert page.locator("#grade-rule").is_visible()
        shot(page, tmp_path, "feedback-grades-ig-hi")
        # a visitor's response arrives: the table shows it without a reload
        cell = page.locator('tr[data-office="SAU"] td.responses')
        assert cell.inner_text() == "4"
        page.evaluate("window.eofficeLoaded = true")
        resp = app.test_client().get("/api/v1/public/challenge")
        body = {
            "office": "SAU",
            "ratings": GOOD,
            "recommend": 10,
            "altcha": solve_challenge(resp.get_json()),
        }
        assert app.test_client().post("/api/v1/public/feedback", json=body).status_code == 201
        expect(cell).to_have_text("5", timeout=15_000)
        assert page.evaluate("window.eofficeLoaded") is True  # the same page, not reloaded
    finally:
        context.close()
