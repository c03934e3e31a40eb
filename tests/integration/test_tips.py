"""Confidential two-way tips, on SQLite and PostgreSQL: the conversation through the receipt, the
dak it becomes (confidential, nothing of its text), who reads tips (the `tips` role of the
district; the admin, auditors and other officers get 404), counts for the district's officers,
bad input, moderation (abuse, a barred receipt), metadata taken out of photos, audio and video,
and the privacy test: an anonymous tip leaves nothing of its sender in the database, the logs or
the object store."""

from __future__ import annotations

import copy
import http.cookiejar
import io
import logging
import re
import struct
import threading
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from eoffice.core import citizen
from eoffice.org.service import load_org
from eoffice.portal.tips import media
from eoffice.portal.tips.models import Tip
from eoffice.receipts.models import Receipt
from eoffice.storage.models import Attachment
from tests.conftest import PASSWORD, PG_URL, config_for, csrf_from, new_database, start_app
from tests.factories import Caller
from tests.pow import solve_altcha

citizen.set_cost(8)  # still scrypt, cheap enough for the suite

ORG = {
    "offices": [
        {"code": "RG", "name": "IG Range", "name_hi": "परिक्षेत्र", "kind": "range"},
        {
            "code": "KNJ",
            "name": "District Kannauj",
            "name_hi": "जनपद कन्नौज",
            "kind": "district",
            "parent": "RG",
            "routing_desk": "KNJ-CR",
        },
        {"code": "CIR", "name": "Circle City", "kind": "circle", "parent": "KNJ"},
        {
            "code": "PS",
            "name": "Thana Kotwali",
            "name_hi": "थाना कोतवाली",
            "kind": "thana",
            "parent": "CIR",
        },
        {"code": "OTH", "name": "Other District", "kind": "district", "parent": "RG"},
        {"code": "OPS", "name": "Other Thana", "kind": "thana", "parent": "OTH"},
    ],
    "desks": [
        {"code": "RG-IG", "title": "IG", "office": "RG"},
        {"code": "KNJ-SP", "title": "SP", "office": "KNJ", "reports_to": "RG-IG"},
        {"code": "KNJ-ASP", "title": "ASP", "office": "KNJ", "reports_to": "KNJ-SP"},
        {"code": "KNJ-CR", "title": "Control Room", "office": "KNJ", "reports_to": "KNJ-SP"},
        {"code": "KNJ-AUD", "title": "Inspection", "office": "KNJ", "reports_to": "KNJ-SP"},
        {"code": "CIR-CO", "title": "CO City", "office": "CIR", "reports_to": "KNJ-SP"},
        {"code": "PS-SHO", "title": "SHO Kotwali", "office": "PS", "reports_to": "CIR-CO"},
        {"code": "PS-HM", "title": "Head Moharrir", "office": "PS", "reports_to": "PS-SHO"},
        {"code": "OTH-SP", "title": "SP Other", "office": "OTH", "reports_to": "RG-IG"},
        {"code": "OPS-SHO", "title": "SHO Other", "office": "OPS", "reports_to": "OTH-SP"},
    ],
    "users": [
        {"username": u, "name": u, "password": PASSWORD, "roles": r, "desks": d}
        for u, r, d in [
            ("sp", ["officer", "tips"], ["KNJ-SP"]),
            ("asp", ["officer", "tips"], ["KNJ-ASP"]),
            ("cr", ["clerk"], ["KNJ-CR"]),
            ("auditor", ["auditor"], ["KNJ-AUD"]),
            ("ig", ["officer", "tips"], ["RG-IG"]),
            ("circle.officer", ["officer"], ["CIR-CO"]),
            ("sho", ["officer"], ["PS-SHO"]),
            ("hm", ["clerk"], ["PS-HM"]),
            ("osp", ["officer", "tips"], ["OTH-SP"]),
            ("admin", ["admin"], []),
        ]
    ],
}

TEXT = "रोज़ रात 10 बजे पुराने गोदाम के पीछे अवैध शराब उतारी जाती है। / Illegal liquor is unloaded."
VEHICLE = {
    "district": "KNJ",
    "station": "PS",
    "category": "suspicious_vehicle",
    "text": "सफ़ेद बोलेरो बिना नंबर प्लेट के मोहल्ले में रोज़ घूमती है।",
    "place": "गांधी बाज़ार के पास",
    "when": "हर शाम लगभग 8 बजे",
    "details": {
        "vehicle_number": "up 74 ab 1234",
        "description": "सफ़ेद बोलेरो, काले शीशे",
        "place": "पेट्रोल पंप के पीछे",
        "time": "रात 8 बजे",
    },
}


class World:
    def __init__(self, app):
        self.app = app
        self._tokens: dict[str, dict] = {}

    def client(self):
        return self.app.test_client()

    def api(self, username: str) -> Caller:
        if username not in self._tokens:
            resp = self.client().post(
                "/api/v1/token", json={"username": username, "password": PASSWORD}
            )
            assert resp.status_code == 200, resp.get_json()
            self._tokens[username] = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        return Caller(self.client(), self._tokens[username])

    def session(self):
        return self.app.extensions["eoffice.db"].sessionmaker()

    def tip(self, **over) -> str:
        client = self.client()
        body = {"district": "KNJ", "station": "PS", "category": "illegal_trade", "text": TEXT}
        body.update(over)
        body.setdefault("altcha", solve_altcha(client))
        resp = client.post("/api/v1/public/tips", json=body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["receipt"]

    def me(self, receipt: str, path: str = "", method: str = "get", **kw):
        return getattr(self.client(), method)(
            f"/api/v1/public/tips/me{path}", headers={"X-Tip-Receipt": receipt}, **kw
        )

    def tip_id(self) -> int:
        with self.session() as s:
            return s.scalar(sa.select(sa.func.max(Tip.id)))


@pytest.fixture(scope="module")
def world(s3_server, migrated_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tips")
    app = start_app(
        {
            **config_for(new_database(migrated_template, folder), s3_server, folder),
            "UPLOAD_LIMIT": 300_000,
        }
    )
    try:
        with app.extensions["eoffice.db"].sessionmaker() as session:
            load_org(session, copy.deepcopy(ORG))
            session.commit()
        yield World(app)
    finally:
        app.extensions["eoffice.db"].dispose()


# --- sample media ------------------------------------------------------------------------------

LAT = ((26, 1), (47, 1), (13123, 1000))  # 26° 47' 13.123"
LON = ((79, 1), (55, 1), (4567, 1000))


def gps_jpeg(camera: str, size=(64, 48)) -> bytes:
    """A JPEG whose EXIF names a camera and the place (GPS), and carries a comment."""
    from PIL import TiffImagePlugin

    exif = Image.Exif()
    exif[0x010F] = camera  # Make
    exif[0x0110] = camera + "-model"  # Model
    exif[0x0131] = camera + "-software"
    exif[0x0112] = 6  # rotated: the picture is stored on its side
    rational = TiffImagePlugin.IFDRational
    exif[0x8825] = {
        1: "N",
        2: tuple(rational(n, d) for n, d in LAT),
        3: "E",
        4: tuple(rational(n, d) for n, d in LON),
    }
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(
        out, "JPEG", exif=exif.tobytes(), comment=camera.encode()
    )
    return out.getvalue()


def gps_bytes() -> list[bytes]:
    """The GPS values as EXIF stores them (rationals, in either byte order)."""
    out = []
    for n, d in (*LAT, *LON):
        if d != 1:
            out += [struct.pack("<II", n, d), struct.pack(">II", n, d)]
    return out


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full_box(kind: bytes, payload: bytes, version: int = 0) -> bytes:
    return box(kind, bytes([version, 0, 0, 0]) + payload)


def mp4(handler: bytes = b"vide", secret: bytes = b"+26.7869+079.9179/") -> bytes:
    """A small ISO media file as phones write it: times in mvhd/tkhd/mdhd, a track, the media,
    and the place it was recorded in udta (©xyz) and in Apple's meta keys."""
    stamp = struct.pack(">II", 3_800_000_000, 3_800_000_001)
    mvhd = full_box(b"mvhd", stamp + struct.pack(">II", 1000, 5000) + bytes(80))
    tkhd = full_box(b"tkhd", stamp + bytes(72))
    mdhd = full_box(b"mdhd", stamp + struct.pack(">II", 1000, 5000) + bytes(4))
    hdlr = full_box(b"hdlr", bytes(4) + handler + bytes(12) + b"Core Media Video\0")
    minf = box(b"minf", box(b"stbl", full_box(b"stco", struct.pack(">II", 1, 64))))
    trak = box(b"trak", tkhd + box(b"mdia", mdhd + hdlr + minf) + box(b"udta", b"trk" + secret))
    udta = box(b"udta", box(b"\xa9xyz", struct.pack(">HH", len(secret), 0) + secret))
    meta = full_box(b"meta", box(b"keys", b"com.apple.quicktime.location.ISO6709" + secret))
    moov = box(b"moov", mvhd + trak + udta + meta)
    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isomavc1")
    return ftyp + moov + box(b"uuid", bytes(16) + secret) + box(b"mdat", b"\x00\x01media-bytes")


def mp3(secret: bytes) -> bytes:
    frame = b"\xff\xfb\x90\x00" + bytes(413)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417 bytes
    id3_body = b"TIT2" + struct.pack(">I", len(secret) + 1) + b"\0\0\0" + secret
    size = len(id3_body)
    synchsafe = bytes([(size >> 21) & 127, (size >> 14) & 127, (size >> 7) & 127, size & 127])
    v1 = b"TAG" + secret[:30].ljust(125, b"\0")
    return b"ID3\x03\x00\x00" + synchsafe + id3_body + frame * 3 + v1


# --- the conversation ----------------------------------------------------------------------------


def test_the_two_way_conversation(world):
    receipt = world.tip(**VEHICLE)
    assert re.fullmatch(r"[0-9]{16}", receipt)
    tip_id = world.tip_id()
    # the dak: a confidential receipt at the station's head desk that says a tip came, and no
    # more (no text, no sender)
    with world.session() as s:
        tip = s.get(Tip, tip_id)
        dak = s.get(Receipt, tip.dak_receipt_id)
        assert dak.security == "confidential" and dak.holder.code == "PS-SHO"
        assert dak.mode == "portal" and dak.letter_number == tip.number
        assert "बोलेरो" not in dak.subject and dak.sender_mobile is None
        assert tip.receipt_hash.startswith("scrypt$") and receipt not in tip.receipt_hash
        assert tip.vehicle_number == "UP 74 AB 1234" and tip.anonymous
    # the tipster reads it back with the receipt (spaces as printed are fine)
    spaced = " ".join(receipt[i : i + 4] for i in range(0, 16, 4))
    mine = world.me(spaced).get_json()
    assert mine["status"] == "received" and mine["messages"][0]["from"] == "you"
    assert mine["messages"][0]["text"] == VEHICLE["text"]  # Hindi round-trips
    # the SP (role tips) reads it, with its details, and replies
    sp = world.api("sp")
    listed = sp.get("/api/v1/tips", query_string={"office": "PS"}).get_json()
    assert tip_id in [t["id"] for t in listed["items"]]
    full = sp.get(f"/api/v1/tips/{tip_id}").get_json()
    assert full["text"] == VEHICLE["text"] and full["identity"] is None
    assert full["details"]["description"] == "सफ़ेद बोलेरो, काले शीशे"
    assert full["place"] == "गांधी बाज़ार के पास" and full["station"] == "PS"
    reply = "धन्यवाद। क्या आप बता सकते हैं कि गाड़ी किस ओर जाती है?"
    resp = sp.post(f"/api/v1/tips/{tip_id}/messages", {"text": reply})
    assert resp.status_code == 201, resp.get_json()
    mine = world.me(receipt).get_json()
    assert mine["status"] == "answered"
    assert mine["messages"][1] == {"from": "police", "at": mine["messages"][1]["at"], "text": reply}
    assert "by" not in mine["messages"][1] and "desk" not in mine["messages"][1]
    # the tipster answers, with a photo whose EXIF is gone before it is stored
    answer = "गाड़ी कन्नौज रोड की ओर जाती है।"
    resp = world.me(receipt, "/messages", "post", json={"text": answer})
    assert resp.status_code == 201 and resp.get_json()["messages"][-1]["text"] == answer
    photo = gps_jpeg("PhoneCamTest-" + uuid.uuid4().hex[:8])
    resp = world.me(
        receipt,
        "/attachments",
        "post",
        data={"file": (io.BytesIO(photo), "IMG_20261130_ramesh.jpg")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["name"] == "photo-1.jpg"  # never the phone's name for it
    full = sp.get(f"/api/v1/tips/{tip_id}").get_json()
    assert [m["from"] for m in full["messages"]] == ["police", "you"]
    (att,) = full["attachments"]
    stored = sp.get(att["url"]).data
    assert stored.startswith(b"\xff\xd8\xff") and b"PhoneCamTest" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert not picture.getexif() and picture.size == (48, 64)  # turned upright, EXIF gone
    # closed: the tipster reads the end, and can add nothing more
    resp = sp.post(f"/api/v1/tips/{tip_id}/close", {"remarks": "सूचना पर कार्रवाई की गई"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "closed"
    assert world.me(receipt).get_json()["status"] == "closed"
    resp = world.me(receipt, "/messages", "post", json={"text": "और भी"})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "closed"
    assert sp.post(f"/api/v1/tips/{tip_id}/messages", {"text": "x"}).status_code == 409


def test_not_sure_goes_to_the_districts_routing_desk_and_identity_stays_with_the_role(world):
    world.tip(
        station=None,
        category="harassment",
        identity={"name": "सुनीता", "mobile": "98765 43210", "email": "s@example.org"},
    )
    tip_id = world.tip_id()
    with world.session() as s:
        tip = s.get(Tip, tip_id)
        dak = s.get(Receipt, tip.dak_receipt_id)
        assert dak.holder.code == "KNJ-CR" and tip.station_id is None
        assert dak.sender_name.startswith("गोपनीय") and "सुनीता" not in dak.subject
    full = world.api("asp").get(f"/api/v1/tips/{tip_id}").get_json()
    assert full["identity"] == {"name": "सुनीता", "mobile": "9876543210", "email": "s@example.org"}
    assert full["anonymous"] is False


def test_a_wrong_receipt_answers_as_a_missing_one_after_one_slow_hash(world):
    receipt = world.tip()
    wrong = ("1" if receipt[0] != "1" else "2") + receipt[1:]
    answers = []
    for value in (wrong, "0000000000000000", "not a receipt", ""):
        before = citizen.hash_calls
        resp = world.me(value)
        assert citizen.hash_calls - before == 1
        answers.append((resp.status_code, resp.get_json()))
    assert all(a == answers[0] for a in answers) and answers[0][0] == 404
    assert world.me(wrong, "/messages", "post", json={"text": "x"}).status_code == 404


# --- who reads tips ------------------------------------------------------------------------------


def test_only_the_tips_role_of_the_district_reads_tips(world):
    world.tip(text="गोपनीय सूचना केवल एसपी के लिए")
    tip_id = world.tip_id()
    for username in ("admin", "auditor", "sho", "circle.officer", "cr", "osp", "ig"):
        caller = world.api(username)
        for resp in (
            caller.get(f"/api/v1/tips/{tip_id}"),
            caller.post(f"/api/v1/tips/{tip_id}/messages", {"text": "x", "desk": None}),
            caller.post(f"/api/v1/tips/{tip_id}/close", {"remarks": "x"}),
            caller.post(f"/api/v1/tips/{tip_id}/abuse", {}),
            caller.post(f"/api/v1/tips/{tip_id}/ban", {"remarks": "x"}),
        ):
            assert resp.status_code == 404, (username, resp.get_json())
        listed = caller.get("/api/v1/tips")
        if username == "osp":  # reads its own district's tips, none of these
            assert tip_id not in [t["id"] for t in listed.get_json()["items"]]
        else:
            assert listed.status_code == 404, username
    # the attachment of a tip is as hidden as the tip
    with world.session() as s:
        att = s.scalar(sa.select(Attachment.id).where(Attachment.owner_kind == "tip").limit(1))
    if att is not None:
        assert world.api("admin").get(f"/api/v1/attachments/{att}").status_code == 404
        assert world.api("sho").get(f"/api/v1/attachments/{att}").status_code == 404
    # the SHO holds the dak and sees that a tip came, not what it says
    with world.session() as s:
        dak_id = s.get(Tip, tip_id).dak_receipt_id
    seen = world.api("sho").get(f"/api/v1/receipts/{dak_id}")
    assert seen.status_code == 200 and "एसपी के लिए" not in seen.get_data(as_text=True)
    assert world.api("admin").get(f"/api/v1/receipts/{dak_id}").status_code == 404
    # the pages answer the same
    client = world.client()
    for username in ("admin", "auditor", "sho"):
        page = client.get("/login")
        client.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        assert client.get(f"/tips/{tip_id}").status_code == 404, username
        assert client.get("/tips/").status_code == 404, username
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})


def test_counts_by_category_and_station_are_open_to_the_districts_officers(world):
    world.tip(category="traffic", text="चौराहे पर रोज़ जाम")
    for username in ("sho", "circle.officer", "sp"):
        resp = world.api(username).get("/api/v1/tips/counts")
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["district"] == "KNJ" and body["by_category"]["traffic"] >= 1
        assert "text" not in resp.get_data(as_text=True)
        with world.session() as s:
            total = s.scalar(
                sa.select(sa.func.count(Tip.id)).where(Tip.district_id.isnot(None), ~Tip.abuse)
            )
        assert body["total"] == total
        assert sum(r["total"] for r in body["by_station"]) == body["total"]
    assert world.api("sho").get("/api/v1/tips/counts?office=PS").get_json()["district"] == "KNJ"
    assert world.api("osp").get("/api/v1/tips/counts?office=KNJ").status_code == 404
    assert world.api("hm").get("/api/v1/tips/counts").status_code == 403  # a clerk
    assert world.api("admin").get("/api/v1/tips/counts").status_code == 403


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input_gets_clear_answers(world):
    client = world.client()
    good = {"district": "KNJ", "category": "crime", "text": "चोरी"}

    def post(body, **kw):
        return client.post("/api/v1/public/tips", json=body, **kw)

    resp = client.post("/api/v1/public/tips", data="text=x", content_type="text/plain")
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_media_type"
    resp = post(good)
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "altcha_required"
    resp = post({**good, "altcha": "bm90IGEgc29sdXRpb24="})
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "altcha"
    for bad, field in (
        ({**good, "category": "gossip"}, "category"),
        ({**good, "text": "x" * 10_001}, "text"),
        ({**good, "text": "   "}, "text"),
        ({**good, "district": "PS"}, "district"),
        ({**good, "station": "OPS"}, "station"),
        ({**good, "details": {"description": "लाल कार"}}, "details"),
        ({**good, "category": "suspicious_person", "details": {"vehicle_number": "UP1"}}, None),
        ({**good, "identity": {"mobile": "12345"}}, "identity.mobile"),
        ({**good, "identity": {"email": "not-mail"}}, "identity.email"),
        ({**good, "text": "a\x00b"}, "text"),
    ):
        resp = post({**bad, "altcha": solve_altcha(client)})
        assert resp.status_code == 422, (bad, resp.get_json())
        if field:
            assert resp.get_json()["error"]["field"] == field, resp.get_json()
    # ids past what an id can be are missing records, never 500
    sp = world.api("sp")
    for tip_id in (2**31, 2**63, 2**63 + 1, 10**30):
        assert sp.get(f"/api/v1/tips/{tip_id}").status_code == 404
        assert sp.post(f"/api/v1/tips/{tip_id}/messages", {"text": "x"}).status_code == 404
    assert sp.get("/api/v1/tips?page=0").status_code == 422
    assert sp.get("/api/v1/tips?status=lost").status_code == 422
    # a message too long, or not JSON
    receipt = world.tip()
    resp = world.me(receipt, "/messages", "post", json={"text": "ब" * 10_001})
    assert resp.status_code == 422
    resp = world.me(receipt, "/messages", "post", data="hello", content_type="text/plain")
    assert resp.status_code == 415


def upload(world, receipt, data, name="file.jpg", content_type="image/jpeg"):
    return world.me(
        receipt,
        "/attachments",
        "post",
        data={"file": (io.BytesIO(data), name, content_type)},
        content_type="multipart/form-data",
    )


def test_files_are_read_by_their_bytes_and_cleaned(world):
    receipt = world.tip()
    # lying about the type: a page, a program, a broken picture, a format we cannot clean
    for data in (
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00" + bytes(100),
        b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10,
        b"\x1aE\xdf\xa3" + bytes(64),  # WebM
        b"OggS" + bytes(64),
    ):
        resp = upload(world, receipt, data, "photo.jpg")
        assert resp.status_code == 415, resp.get_json()
    assert upload(world, receipt, b"").status_code == 415
    too_big = b"\xff\xd8\xff" + bytes(300_001)
    assert upload(world, receipt, too_big).status_code == 413
    assert world.me(receipt, "/attachments", "post", data={}).status_code == 422
    # a video: the place and times are blanked, the media stays where the index says it is
    secret = b"+26.7869+079.9179/"
    video = mp4(secret=secret)
    resp = upload(world, receipt, video, "VID_001.mp4", "video/mp4")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json() == {
        "name": "video-1.mp4",
        "size": len(video),
        "content_type": "video/mp4",
    }
    cleaned = media.clean(video, 10**6).data
    assert len(cleaned) == len(video) and secret not in cleaned
    assert b"media-bytes" in cleaned and cleaned.count(b"\xe2\x7f\xd0\x00") == 0
    assert struct.pack(">I", 3_800_000_000) not in cleaned
    # a video with a track that is neither sound nor picture: refused, said why
    resp = upload(world, receipt, mp4(handler=b"meta"), "gopro.mp4", "video/mp4")
    assert resp.status_code == 415 and resp.get_json()["error"]["code"] == "metadata_track"
    # audio: the tags go
    song = mp3(b"RecordedBy-Ramesh-9876")
    resp = upload(world, receipt, song, "voice.mp3", "audio/mpeg")
    assert resp.status_code == 201 and resp.get_json()["content_type"] == "audio/mpeg"
    assert b"Ramesh" not in media.clean(song, 10**6).data
    # a PNG with text chunks loses them
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "PngAuthor-Unique")
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    resp = upload(world, receipt, out.getvalue(), "screen.png", "image/png")
    assert resp.status_code == 201
    assert b"PngAuthor" not in media.clean(out.getvalue(), 10**6).data


# --- moderation ----------------------------------------------------------------------------------


def test_abuse_marking_and_a_barred_receipt(world):
    receipt = world.tip(category="other", text="बकवास बकवास बकवास")
    tip_id = world.tip_id()
    sp = world.api("sp")
    before = sp.get("/api/v1/tips/counts").get_json()
    resp = sp.post(f"/api/v1/tips/{tip_id}/abuse", {"remarks": "झूठी सूचना"})
    assert resp.status_code == 200 and resp.get_json()["abuse"] is True
    after = sp.get("/api/v1/tips/counts").get_json()
    assert after["total"] == before["total"] - 1 and after["abuse"] == before["abuse"] + 1
    assert sp.post(f"/api/v1/tips/{tip_id}/abuse", {}).status_code == 409
    marked = sp.get("/api/v1/tips?abuse=true").get_json()["items"]
    assert tip_id in [t["id"] for t in marked]
    # barred: it reads, and can send nothing more
    assert sp.post(f"/api/v1/tips/{tip_id}/ban", {}).status_code == 422  # remarks needed
    resp = sp.post(f"/api/v1/tips/{tip_id}/ban", {"remarks": "बार-बार गाली"})
    assert resp.status_code == 200 and resp.get_json()["banned"] is True
    mine = world.me(receipt)
    assert mine.status_code == 200 and mine.get_json()["banned"] is True
    resp = world.me(receipt, "/messages", "post", json={"text": "फिर से"})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "receipt_banned"
    resp = upload(world, receipt, gps_jpeg("x"))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "receipt_banned"
    assert sp.post(f"/api/v1/tips/{tip_id}/ban", {"remarks": "x"}).status_code == 409


def test_staff_pages_list_converse_and_moderate(world):
    receipt = world.tip(text="थाने के पीछे जुआ चलता है")
    tip_id = world.tip_id()
    client = world.client()
    page = client.get("/login")
    client.post(
        "/login",
        data={"username": "sp", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(True))},
    )
    listed = client.get("/tips/")
    assert listed.status_code == 200 and f'href="/tips/{tip_id}"' in listed.get_data(True)
    shown = client.get(f"/tips/{tip_id}").get_data(as_text=True)
    assert "थाने के पीछे जुआ चलता है" in shown
    resp = client.post(
        f"/tips/{tip_id}/reply",
        data={"reply-text": "कब से?", "csrf_token": csrf_from(shown)},
    )
    assert resp.status_code == 303
    assert world.me(receipt).get_json()["messages"][-1]["text"] == "कब से?"
    resp = client.post(
        f"/tips/{tip_id}/reply", data={"reply-text": "", "csrf_token": csrf_from(shown)}
    )
    assert resp.status_code == 422
    mod = client.get("/tips/moderation").get_data(as_text=True)
    assert f'id="abuse-{tip_id}"' in mod
    resp = client.post(
        f"/tips/{tip_id}/abuse", data={"from": "moderation", "csrf_token": csrf_from(mod)}
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/tips/moderation")
    mod = client.get("/tips/moderation").get_data(as_text=True)
    assert f'id="ban-{tip_id}"' in mod
    resp = client.post(
        f"/tips/{tip_id}/ban",
        data={"from": "moderation", "ban-remarks": "स्पैम", "csrf_token": csrf_from(mod)},
    )
    assert resp.status_code == 303
    counts = client.get("/tips/counts")
    assert counts.status_code == 200 and 'id="counts"' in counts.get_data(True)


# --- the tipster's pages -------------------------------------------------------------------------


def test_the_tip_pages_work_without_javascript_in_hindi(world):
    client = world.client()
    form = client.get("/c/tip")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'lang="hi"' in html and len(form.data) < 100_000
    assert 'name="altcha"' in html and "<script" in html  # optional: the form works without it
    altcha = re.search(r'name="altcha" value="([^"]*)"', html).group(1)
    photo = gps_jpeg("PageCam-" + uuid.uuid4().hex[:6])
    resp = client.post(
        "/c/tip",
        data={
            "csrf_token": csrf_from(html),
            "altcha": altcha,
            "district": "KNJ",
            "station": "",
            "category": "event",
            "text": "मेले में भीड़ बहुत है, निकास का रास्ता बंद है।",
            "details": "दशहरा मेला",
            "files": [(io.BytesIO(photo), "p.jpg", "image/jpeg")],
        },
        content_type="multipart/form-data",
    )
    sent = resp.get_data(as_text=True)
    assert resp.status_code == 201, sent[:2000]
    receipt = re.search(r'id="tip-receipt">([0-9 ]+)<', sent).group(1).replace(" ", "")
    assert len(receipt) == 16
    # the receipt goes in a form body, never in a URL
    opened = client.get("/c/tip/me").get_data(as_text=True)
    resp = client.post("/c/tip/me", data={"csrf_token": csrf_from(opened), "receipt": receipt})
    conv = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "मेले में भीड़ बहुत है" in conv and "tip-message-form" in conv
    resp = client.post(
        "/c/tip/me/message",
        data={"csrf_token": csrf_from(conv), "receipt": receipt, "text": "अभी भी बंद है"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and "अभी भी बंद है" in resp.get_data(as_text=True)
    wrong = client.post("/c/tip/me", data={"csrf_token": csrf_from(opened), "receipt": "1" * 16})
    assert wrong.status_code == 404
    # a refused form is shown again in Hindi, with what was typed
    resp = client.post(
        "/c/tip",
        data={
            "csrf_token": csrf_from(html),
            "altcha": "",
            "district": "KNJ",
            "category": "crime",
            "text": "कुछ देखा",
        },
    )
    assert resp.status_code == 422 and "कुछ देखा" in resp.get_data(as_text=True)
    home = client.get("/c/").get_data(as_text=True)
    assert 'href="/c/tip"' in home


# --- the privacy test ----------------------------------------------------------------------------


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


class Browser:
    """A citizen's browser on a real socket: cookies, a user agent and a forwarded address."""

    def __init__(self, base: str, agent: str, address: str):
        self.base, self.agent, self.address = base, agent, address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def send(self, method, path, body=None, headers=None):
        heads = {"User-Agent": self.agent, "X-Forwarded-For": self.address, **(headers or {})}
        # the base is the test's own loopback server
        req = urllib.request.Request(self.base + path, data=body, headers=heads, method=method)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, method, path, payload, headers=None):
        import json

        body = json.dumps(payload).encode()
        return self.send(
            method, path, body, {"Content-Type": "application/json", **(headers or {})}
        )

    def multipart(self, path, fields: dict, files: dict, headers=None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for name, (filename, data, ctype) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        ctype = f"multipart/form-data; boundary={boundary}"
        return self.send("POST", path, body, {"Content-Type": ctype, **(headers or {})})


@pytest.fixture
def production_logging():
    """The app's logging as in production (`eoffice run`: waitress, the root logger), every
    logger captured at DEBUG: stricter than production, which shows WARNING and above."""
    handler = Captured()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _database_bytes(url: str, engine) -> bytes:
    """Every byte of the SQLite file and its WAL; on PostgreSQL, every text column of every
    table, dumped."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        out = b""
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                with open(path + suffix, "rb") as fh:
                    out += fh.read()
            except FileNotFoundError:
                pass
        return out
    chunks = []
    with engine.connect() as conn:
        columns = conn.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND data_type IN "
                "('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')"
            )
        ).all()
        for table, column in columns:
            for (value,) in conn.execute(sa.text(f'SELECT "{column}"::text FROM "{table}"')):
                if value is not None:
                    chunks.append(value.encode())
    return b"\n".join(chunks)


def test_an_anonymous_tip_leaves_nothing_of_its_sender(
    s3_server, migrated_template, tmp_path, production_logging
):
    import waitress

    url = new_database(migrated_template, tmp_path)
    bucket = "privacy-" + uuid.uuid4().hex[:8]
    app = start_app(
        {
            **config_for(url, s3_server, tmp_path),
            "S3_BUCKET": bucket,
            "TRUST_PROXY": True,  # behind the proxy the address is X-Forwarded-For's
        }
    )
    with app.extensions["eoffice.db"].sessionmaker() as session:
        load_org(session, copy.deepcopy(ORG))
        session.commit()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    marker = uuid.uuid4().hex[:10]
    agent = f"Mozilla/5.0 (Linux; Android 13; TipsterPhone-{marker}) Chrome/120.0"
    address = f"203.0.{int(marker[:2], 16)}.{int(marker[2:4], 16) % 250 + 1}"
    camera = f"CamModel-{marker}"
    try:
        browser = Browser(f"http://127.0.0.1:{server.effective_port}", agent, address)
        # the page form, without JavaScript, with a photo
        status, page = browser.send("GET", "/c/tip")
        assert status == 200
        html = page.decode()
        altcha = re.search(r'name="altcha" value="([^"]*)"', html).group(1)
        status, sent = browser.multipart(
            "/c/tip",
            {
                "csrf_token": csrf_from(html),
                "altcha": altcha,
                "district": "KNJ",
                "station": "PS",
                "category": "crime",
                "text": "गोदाम में चोरी का माल रखा है",
                "place": "पुराना गोदाम",
            },
            {"files": (f"IMG_{marker}.jpg", gps_jpeg(camera), "image/jpeg")},
        )
        assert status == 201, sent[:1500]
        page_receipt = re.search(rb'id="tip-receipt">([0-9 ]+)<', sent).group(1)
        page_receipt = page_receipt.decode().replace(" ", "")
        # the API, with a challenge solved, a message and another photo
        status, challenge = browser.send("GET", "/api/v1/public/challenge")
        import json

        from tests.pow import solve_challenge

        status, body = browser.json(
            "POST",
            "/api/v1/public/tips",
            {
                "district": "KNJ",
                "category": "suspicious_person",
                "text": "एक अजनबी रोज़ स्कूल के बाहर खड़ा रहता है",
                "altcha": solve_challenge(json.loads(challenge)),
            },
        )
        assert status == 201, body
        receipt = json.loads(body)["receipt"]
        head = {"X-Tip-Receipt": receipt}
        assert browser.send("GET", "/api/v1/public/tips/me", headers=head)[0] == 200
        status, _ = browser.json("POST", "/api/v1/public/tips/me/messages", {"text": "आज भी"}, head)
        assert status == 201
        status, _ = browser.multipart(
            "/api/v1/public/tips/me/attachments",
            {},
            {"file": (f"DCIM_{marker}.jpg", gps_jpeg(camera, (80, 60)), "image/jpeg")},
            head,
        )
        assert status == 201
        assert browser.send("POST", "/api/v1/public/tips/me", b"", head)[0] == 405
        status, _ = browser.send("GET", "/api/v1/public/tips/me", headers={"X-Tip-Receipt": "1"})
        assert status == 404
        # the page for the receipt too
        status, opened = browser.send("GET", "/c/tip/me")
        form = f"csrf_token={csrf_from(opened.decode())}&receipt={page_receipt}".encode()
        status, conv = browser.send(
            "POST", "/c/tip/me", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 200 and "गोदाम में चोरी" in conv.decode()
    finally:
        server.close()
        thread.join(timeout=10)
    # the search: the database, the logs, the object store
    needles = [agent.encode(), marker.encode(), address.encode(), camera.encode()]
    needles += [receipt.encode(), page_receipt.encode(), *gps_bytes()]
    engine = app.extensions["eoffice.db"].engine
    database = _database_bytes(url, engine)
    assert "गोदाम में चोरी का माल".encode() in database  # the search reads what is there
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM tips")) == 2
    logs = "\n".join(production_logging.lines).encode()
    assert production_logging.lines  # the capture was listening (the store client logs)
    store = app.extensions["eoffice.store"]()
    objects = [store.get(o.object_name) for o in store.list("")]
    assert len(objects) == 2  # the two photos, cleaned
    for needle in needles:
        assert needle not in database, needle
        assert needle not in logs, needle
        for data in objects:
            assert needle not in data, needle
    app.extensions["eoffice.db"].dispose()
    assert PG_URL is None or url == PG_URL
