"""The SP's MIS page in Chromium, in Hindi: the chart (the page's SVG answer) is drawn, a number
opens the list behind it. The screenshot is kept in tests/e2e/screens/ when
EOFFICE_KEEP_SCREENS is set."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

import pytest

from eoffice.files import service as files
from eoffice.files.models import File
from eoffice.org.service import load_org
from tests.conftest import PASSWORD
from tests.factories import act

pytestmark = pytest.mark.e2e

SCREENS = Path(__file__).parent / "screens"
THANAS = {"KTW": ("Thana Kotwali", "थाना कोतवाली"), "TRW": ("Thana Tirwa", "थाना तिर्वा")}
ORG = {
    "offices": [
        {
            "code": "KNJ",
            "name": "District Kannauj",
            "name_hi": "जनपद कन्नौज",
            "kind": "district",
            "sections": [{"code": "Estt", "name": "Establishment", "name_hi": "अधिष्ठान"}],
        },
        *[
            {"code": c, "name": n, "name_hi": h, "kind": "thana", "parent": "KNJ"}
            for c, (n, h) in THANAS.items()
        ],
    ],
    "desks": [
        {"code": "KNJ-SP", "title": "SP", "title_hi": "पुलिस अधीक्षक", "office": "KNJ"},
        {
            "code": "KNJ-HC",
            "title": "Head Clerk",
            "title_hi": "प्रधान लिपिक",
            "office": "KNJ",
            "section": "Estt",
            "reports_to": "KNJ-SP",
        },
        *[
            {"code": f"{c}-SHO", "title": "SHO", "office": c, "reports_to": "KNJ-SP"}
            for c in THANAS
        ],
    ],
    "users": [
        {
            "username": "sp.knj",
            "name": "Anil Kumar Singh",
            "name_hi": "अनिल कुमार सिंह",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["KNJ-SP"],
            "locale": "hi",
        },
        {
            "username": "hc",
            "name": "Ram Kumar",
            "password": PASSWORD,
            "roles": ["clerk"],
            "desks": ["KNJ-HC"],
        },
        *[
            {
                "username": f"sho.{c.lower()}",
                "name": f"SHO {c}",
                "password": PASSWORD,
                "roles": ["officer"],
                "desks": [f"{c}-SHO"],
            }
            for c in THANAS
        ],
    ],
}


@pytest.fixture
def world(db):
    load_org(db, copy.deepcopy(ORG))
    db.commit()
    ages = [0, 2, 5, 9, 12, 20, 26, 40, 75]
    for i, days in enumerate(ages):
        who, desk = [("hc", "KNJ-HC"), ("sho.ktw", "KTW-SHO"), ("sho.trw", "TRW-SHO")][i % 3]
        values = {"subject": f"अवकाश प्रार्थना पत्र {i}", "head": "11", "category": "B"}
        f = act(db, files.create_file, who, desk, values, ())
        if i % 4 == 0:
            act(db, files.send_file, who, desk, f.id, "KNJ-SP", "कृपया अवलोकन करें")
        f = db.get(File, f.id)
        f.clock_from = f.clock_from - dt.timedelta(days=days)
        db.commit()


def test_sp_reads_the_mis_in_hindi(world, live_server, browser, tmp_path):
    context = browser.new_context(locale="hi-IN", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "sp.knj")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{live_server}/")
        page.click("#nav-mis")
        page.wait_for_url("**/mis/pendency")
        assert page.locator("html").get_attribute("lang") == "hi"
        assert "जनपद कन्नौज" in page.inner_text("#mis-office")
        # the chart is the page's SVG answer, drawn as an image
        chart = page.locator("#mis-chart img")
        chart.wait_for()
        page.wait_for_function(
            "document.querySelector('#mis-chart img').complete"
            " && document.querySelector('#mis-chart img').naturalWidth > 0"
        )
        assert page.locator('#mis-offices tr[data-office="KNJ"] .n-files').inner_text() == "9"
        shot = tmp_path / "mis-sp-hi.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("EOFFICE_KEEP_SCREENS"):
            SCREENS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENS / "mis-sp-hi.png"), full_page=True)
        # a number opens its list, whose rows open the files
        page.click('#mis-offices tr[data-office="KNJ"] .n-overdue a')
        page.wait_for_url("**/mis/list**")
        rows = page.locator("#mis-items tbody tr[data-kind='file']")
        assert rows.count() >= 3
        rows.first.locator("a").click()
        page.wait_for_url("**/files/**")
    finally:
        context.close()
