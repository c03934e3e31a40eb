"""Part files, links between files, citations of notes and linked files, and copies of filed
receipts (issue 11, item 5): through the JSON API and the file page, in Hindi."""

import html
import re

from eoffice.files.docket import docket_html
from eoffice.files.models import File
from eoffice.receipts.models import Receipt
from tests.factories import fresh, new_file, note, receipt
from tests.integration.test_pages_files import login, post_form

HUGE = 2**63
MAIN = "थाना कोतवाली भवन की मरम्मत / repair of the Kotwali building"
SP = {"desk": "SPO-SP"}


def part(caller, file_id, **body):
    resp = caller.post(f"/api/v1/files/{file_id}/parts", body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def get(caller, file_id, **query):
    resp = caller.get(f"/api/v1/files/{file_id}", query_string=query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def send(caller, file_id, to, **body):
    resp = caller.post(f"/api/v1/files/{file_id}/send", {"to": to, **body})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def error(resp):
    return resp.get_json()["error"]["code"]


def ref(f):
    return {"id": f["id"], "number": f["number"], "subject": f["subject"]}


# --- part files --------------------------------------------------------------------------------


def test_parts_are_numbered_part_1_part_2_with_notes_of_their_own(api):
    clerk = api("clerk")
    main = new_file(clerk, MAIN)
    note(clerk, main["id"], "मुख्य पत्रावली की टिप्पणी")
    p1 = part(clerk, main["id"])
    p2 = part(clerk, main["id"], subject="मरम्मत का प्राक्कलन / the estimate")
    assert p1["number"] == main["number"] + "/Part-1"
    assert p2["number"] == main["number"] + "/Part-2"
    assert p1["subject"] == MAIN and p2["subject"] == "मरम्मत का प्राक्कलन / the estimate"
    assert p1["holder"] == "SPO-HC" and p1["status"] == "open"
    assert p1["part_of"] == ref(main) and p1["parts"] == [] and p1["notes"] == []
    assert p1["links"] == [ref(main)]
    # notes are numbered per file: the part's first note is its paragraph 1
    n = note(clerk, p1["id"], "भाग पत्रावली की पहली टिप्पणी")
    assert n["number"] == 1
    whole = get(clerk, main["id"])
    assert [x["text"] for x in whole["notes"]] == ["मुख्य पत्रावली की टिप्पणी"]
    assert whole["parts"] == [ref(p1), ref(p2)]
    assert whole["part_of"] is None
    assert {x["id"] for x in whole["links"]} == {p1["id"], p2["id"]}
    assert [x["text"] for x in get(clerk, p1["id"])["notes"]] == ["भाग पत्रावली की पहली टिप्पणी"]
    # the part moves on its own
    send(clerk, p1["id"], "SPO-SP")
    assert get(clerk, main["id"])["holder"] == "SPO-HC"


def test_only_the_holder_of_an_open_main_file_opens_a_part(api):
    clerk, officer = api("clerk"), api("officer")
    main = new_file(clerk, MAIN)
    p1 = part(clerk, main["id"])
    # a part of a part: open it on the main file
    resp = clerk.post(f"/api/v1/files/{p1['id']}/parts", {})
    assert resp.status_code == 422 and error(resp) == "part_of_part"
    # the desk that does not hold the main file
    send(clerk, main["id"], "SPO-SP")
    resp = clerk.post(f"/api/v1/files/{main['id']}/parts", {})
    assert resp.status_code == 409 and error(resp) == "not_holder"
    # a closed main file: refused with a clear code, nothing made
    closed = officer.post(f"/api/v1/files/{main['id']}/close", {"remarks": "निस्तारित", **SP})
    assert closed.status_code == 200, closed.get_json()
    resp = officer.post(f"/api/v1/files/{main['id']}/parts", SP)
    assert resp.status_code == 409 and error(resp) == "file_closed"
    assert "closed" in resp.get_json()["error"]["message"]
    # the part stayed with the clerk's desk: the clerk sees it, the officer never had it
    assert [x["number"] for x in get(clerk, main["id"])["parts"]] == [p1["number"]]
    assert get(officer, main["id"], **SP)["parts"] == []
    # a stale version, someone who may not see it, an auditor, ids past 2^63
    fresh_main = new_file(clerk, MAIN)
    resp = clerk.post(f"/api/v1/files/{fresh_main['id']}/parts", {"version": 99})
    assert resp.status_code == 409 and error(resp) == "stale_version"
    assert api("other").post(f"/api/v1/files/{fresh_main['id']}/parts", {}).status_code == 404
    assert api("auditor").post(f"/api/v1/files/{fresh_main['id']}/parts", {}).status_code == 403
    assert clerk.post(f"/api/v1/files/{HUGE}/parts", {}).status_code == 404
    assert clerk.post(f"/api/v1/files/{2**31}/parts", {}).status_code == 404
    resp = clerk.post(f"/api/v1/files/{fresh_main['id']}/parts", {"subject": "x" * 5001})
    assert resp.status_code == 422


# --- links -------------------------------------------------------------------------------------


def test_links_go_both_ways_once_and_never_show_what_one_may_not_see(api):
    clerk, officer = api("clerk"), api("officer")
    a = new_file(clerk, MAIN)
    b = new_file(officer, "वाहन खरीद / purchase of vehicles", **SP)  # clerk never sees b
    # a file the caller may not see: 404, whatever the caller holds
    resp = clerk.post(f"/api/v1/files/{a['id']}/links", {"file_id": b["id"]})
    assert resp.status_code == 404 and error(resp) == "not_found"
    assert "वाहन" not in resp.get_data(as_text=True)
    resp = clerk.post(f"/api/v1/files/{a['id']}/links", {"file_id": a["id"]})
    assert resp.status_code == 422 and error(resp) == "self_link"
    for bad in ({"file_id": HUGE}, {"file_id": 0}, {"file_id": "x"}, {}):
        assert clerk.post(f"/api/v1/files/{a['id']}/links", bad).status_code == 422, bad
    assert clerk.post(f"/api/v1/files/{HUGE}/links", {"file_id": a["id"]}).status_code == 404

    send(clerk, a["id"], "SPO-SP")  # now the officer holds both
    made = officer.post(f"/api/v1/files/{a['id']}/links", {"file_id": b["id"], **SP})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["links"] == [ref(b)]
    again = officer.post(f"/api/v1/files/{a['id']}/links", {"file_id": b["id"], **SP})
    assert again.status_code == 200 and again.get_json()["links"] == [ref(b)]
    # both ways, and linking from the other side changes nothing either
    assert get(officer, b["id"], **SP)["links"] == [ref(a)]
    back = officer.post(f"/api/v1/files/{b['id']}/links", {"file_id": a["id"], **SP})
    assert back.status_code == 200
    assert get(officer, b["id"], **SP)["links"] == [ref(a)]

    # back with the clerk: a's link to b is kept, but the clerk does not see b
    send(officer, a["id"], "SPO-HC", **SP)
    assert get(clerk, a["id"])["links"] == []
    # only the holding desk links: the officer no longer holds a
    c = new_file(officer, "तीसरी पत्रावली", **SP)
    resp = officer.post(f"/api/v1/files/{a['id']}/links", {"file_id": c["id"], **SP})
    assert resp.status_code == 409 and error(resp) == "not_holder"


# --- citations on the page and in the docket ---------------------------------------------------


def test_citations_link_notes_and_linked_files_and_stay_plain_otherwise(api, client, auth, db):
    clerk = api("clerk")
    a = new_file(clerk, MAIN)
    linked = new_file(clerk, "लिंक की गई पत्रावली")
    unlinked = new_file(clerk, "दूसरी पत्रावली")
    resp = clerk.post(f"/api/v1/files/{a['id']}/links", {"file_id": linked["id"]})
    assert resp.status_code == 201
    note(clerk, a["id"], "प्रथम टिप्पणी")
    text = (
        f"कृपया #1 तथा C/1 देखें; संबंधित पत्रावली {linked['number']} है, "
        f"पर {unlinked['number']} नहीं। उद्धरण 'चिह्न' #9"
    )
    note(clerk, a["id"], text)
    login(client, auth, "clerk")
    page = client.get(f"/files/{a['id']}").get_data(as_text=True)
    notes = re.findall(r'<div class="note-text">(.*?)</div>', page, re.S)
    assert len(notes) == 2
    cited = notes[1]
    assert 'href="#n1"' in cited and 'id="n1"' in page  # the note's anchor on the page
    assert 'href="#c1"' in cited
    assert f'href="/files/{linked["id"]}" class="cite cite-file">{linked["number"]}</a>' in cited
    # not linked: plain text; an escaped quote (&#39;) is no citation
    assert html.escape(unlinked["number"]) in cited and f'/files/{unlinked["id"]}"' not in cited
    assert cited.count("<a ") == 4  # #1, C/1, the linked file, #9
    # the relations section lists the link, and forms with CSRF
    assert 'id="relations"' in page and f'href="/files/{linked["id"]}"' in page
    for form_id in ("part-form", "link-form", "copy-form"):
        block = page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
        assert 'name="' in block and "csrf_token" in block, form_id
    # the docket: #1 to the note, C/1 to the entry
    docket, _stamp = docket_html(db, db.get(File, a["id"]))
    assert 'href="#n1"' in docket and "प्रथम टिप्पणी" in docket


def test_a_linked_file_the_reader_may_not_see_is_plain_text(api, client, auth):
    clerk, officer = api("clerk"), api("officer")
    a = new_file(clerk, MAIN)
    b = new_file(officer, "गोपनीय जांच", **SP)
    send(clerk, a["id"], "SPO-SP")
    assert officer.post(f"/api/v1/files/{a['id']}/links", {"file_id": b["id"], **SP}).status_code
    note(officer, a["id"], f"देखें पत्रावली {b['number']}", **SP)
    send(officer, a["id"], "SPO-HC", **SP)
    login(client, auth, "clerk")
    page = client.get(f"/files/{a['id']}").get_data(as_text=True)
    assert html.escape(b["number"]) in page  # the note's text, as written
    assert f'/files/{b["id"]}"' not in page and "गोपनीय" not in page


# --- copies of filed receipts ------------------------------------------------------------------


def test_a_receipt_copied_into_a_second_file_shows_on_both(api, client, auth, db):
    clerk, officer = api("clerk"), api("officer")
    r = receipt(clerk, "भवन मरम्मत हेतु अनुरोध पत्र")
    a = new_file(clerk, MAIN, receipt_ids=[r["id"]])
    b = new_file(clerk, "भवन निधि / building funds")
    note(clerk, b["id"], "टिप्पणी")
    resp = clerk.post(f"/api/v1/files/{b['id']}/receipts/{r['id']}/copy", {})
    assert resp.status_code == 201, resp.get_json()
    corr = resp.get_json()["correspondence"]
    assert [(c["label"], c["kind"], c["id"], c["title"]) for c in corr] == [
        ("C/1", "copy", r["id"], "भवन मरम्मत हेतु अनुरोध पत्र")
    ]
    # the receipt stays in a
    kept = fresh(db, Receipt, r["id"])
    assert kept.file_id == a["id"] and kept.status == "filed"
    assert [(c["kind"], c["id"]) for c in get(clerk, a["id"])["correspondence"]] == [
        ("receipt", r["id"])
    ]
    # again, into its own file, an open receipt, one the caller may not see, too big
    again = clerk.post(f"/api/v1/files/{b['id']}/receipts/{r['id']}/copy", {})
    assert again.status_code == 409 and error(again) == "already_in_file"
    home = clerk.post(f"/api/v1/files/{a['id']}/receipts/{r['id']}/copy", {})
    assert home.status_code == 409 and error(home) == "already_in_file"
    loose = receipt(clerk, "खुली आवती")
    resp = clerk.post(f"/api/v1/files/{b['id']}/receipts/{loose['id']}/copy", {})
    assert resp.status_code == 409 and error(resp) == "receipt_not_filed"
    theirs = receipt(api("other"), "दूसरे जिले की आवती")
    resp = clerk.post(f"/api/v1/files/{b['id']}/receipts/{theirs['id']}/copy", {})
    assert resp.status_code == 404
    assert clerk.post(f"/api/v1/files/{b['id']}/receipts/{HUGE}/copy", {}).status_code == 404
    assert clerk.post(f"/api/v1/files/{HUGE}/receipts/{r['id']}/copy", {}).status_code == 404
    # a desk that does not hold b
    resp = officer.post(f"/api/v1/files/{b['id']}/receipts/{r['id']}/copy", SP)
    assert resp.status_code == 404  # the officer may not see b at all
    # whoever may see b sees the copy: b goes to the officer
    send(clerk, b["id"], "SPO-SP")
    seen = get(officer, b["id"], **SP)["correspondence"]
    assert [(c["kind"], c["id"], c["title"]) for c in seen] == [
        ("copy", r["id"], "भवन मरम्मत हेतु अनुरोध पत्र")
    ]
    # both pages list it; b's names the receipt and the file it is filed in
    login(client, auth, "clerk")
    page_b = client.get(f"/files/{b['id']}").get_data(as_text=True)
    entry = page_b.split('id="c1"', 1)[1].split("</li>", 1)[0]
    assert r["number"] in entry and f'href="/files/{a["id"]}"' in entry
    assert "भवन मरम्मत हेतु अनुरोध पत्र" in client.get(f"/files/{a['id']}").get_data(as_text=True)
    docket, _stamp = docket_html(db, db.get(File, b["id"]))
    assert r["number"] in docket and "Copy of a receipt" in docket


# --- the page forms ----------------------------------------------------------------------------


def test_page_forms_open_a_part_link_by_number_and_copy_by_receipt_number(api, client, auth):
    clerk = api("clerk")
    r = receipt(clerk, "विद्युत बिल")
    a = new_file(clerk, MAIN, receipt_ids=[r["id"]])
    b = new_file(clerk, "विद्युत व्यय")
    login(client, auth, "clerk")
    version = get(clerk, b["id"])["version"]

    resp = post_form(client, auth, f"/files/{b['id']}/parts", "part", {"version": version})
    assert resp.status_code == 303
    part_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    part_page = client.get(f"/files/{part_id}").get_data(as_text=True)
    assert b["number"] + "/Part-1" in part_page and 'id="part-of"' in part_page
    assert 'id="part-form"' not in part_page  # no parts of a part

    version = get(clerk, b["id"])["version"]
    resp = post_form(
        client, auth, f"/files/{b['id']}/links", "link", {"number": a["number"], "version": version}
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert ref(a) in get(clerk, b["id"])["links"]

    version = get(clerk, b["id"])["version"]
    resp = post_form(
        client,
        auth,
        f"/files/{b['id']}/copies",
        "copy_receipt",
        {"number": r["number"], "version": version},
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert any(c["kind"] == "copy" for c in get(clerk, b["id"])["correspondence"])

    # refusals: the page again, with what was typed and a message in the user's language
    version = get(clerk, b["id"])["version"]
    resp = post_form(
        client, auth, f"/files/{b['id']}/links", "link", {"number": "नहीं/है", "version": version}
    )
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "There is no file with that number that you may see." in text and "नहीं/है" in text
    resp = post_form(
        client, auth, f"/files/{b['id']}/links", "link", {"number": b["number"], "version": version}
    )
    assert resp.status_code == 422 and "cannot be linked to itself" in resp.get_data(as_text=True)
    resp = post_form(
        client,
        auth,
        f"/files/{b['id']}/copies",
        "copy_receipt",
        {"number": r["number"], "version": version},
    )
    assert resp.status_code == 409
    assert "already in this file" in resp.get_data(as_text=True)
    # no CSRF token: refused
    resp = client.post(f"/files/{b['id']}/links", data={"link-number": a["number"]})
    assert resp.status_code in (400, 403, 422)
    assert client.post(f"/files/{HUGE}/parts", data={}).status_code in (400, 404)


def test_pages_in_hindi(api, client, auth):
    clerk = api("clerk")
    a = new_file(clerk, MAIN)
    part(clerk, a["id"])
    login(client, auth, "clerk", lang="hi")
    page = client.get(f"/files/{a['id']}").get_data(as_text=True)
    assert 'id="relations"' in page and 'id="parts"' in page
    assert a["number"] + "/Part-1" in page and MAIN in page
    assert 'lang="hi"' in page
