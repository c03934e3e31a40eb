"""Proof-of-work on the anonymous forms (ALTCHA v1, self-hosted): a challenge from the API, solved
as a browser's script does, accepted once; tampered, replayed, garbled and missing answers are
refused by name; the no-JavaScript form token is accepted only once it has aged, and only once;
the anonymous forms' counter holds a keyed hash, never the address."""

from __future__ import annotations

import base64
import json
import time

import pytest
import sqlalchemy as sa

from eoffice.core import pow
from eoffice.core.errors import Invalid
from eoffice.core.uow import unit_of_work
from tests.pow import solve_altcha, solve_challenge


def _check(app, value, now=None):
    with unit_of_work(app.extensions["eoffice.db"]) as session:
        pow.check(session, app.config, value, now=now)


def _refused(app, value, code, now=None):
    with pytest.raises(Invalid) as caught:
        _check(app, value, now)
    assert caught.value.code == code and caught.value.field == "altcha"
    return caught.value


def test_the_challenge_is_altcha_v1_and_signed(client, app):
    resp = client.get("/api/v1/public/challenge")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert set(body) == {"algorithm", "challenge", "maxnumber", "salt", "signature"}
    assert body["algorithm"] == "SHA-256" and body["maxnumber"] == app.config["POW_MAX_NUMBER"]
    assert "expires=" in body["salt"]
    again = client.get("/api/v1/public/challenge").get_json()
    assert again["challenge"] != body["challenge"]


def test_a_solution_is_accepted_once(client, app):
    value = solve_altcha(client)
    _check(app, value)
    _refused(app, value, "altcha_invalid")
    # re-encoded the same solution is the same challenge: still spent
    payload = json.loads(base64.b64decode(value))
    respaced = base64.b64encode(json.dumps(payload, indent=1).encode()).decode()
    _refused(app, respaced, "altcha_invalid")


def test_tampered_garbled_and_missing_answers_are_refused(client, app):
    challenge = client.get("/api/v1/public/challenge").get_json()
    good = json.loads(base64.b64decode(solve_challenge(challenge)))
    wrong_number = dict(good, number=good["number"] + 1)
    forged = dict(good, signature="0" * 64)
    other_salt = dict(good, salt=good["salt"].replace("expires=", "expires=9"))
    for payload in (wrong_number, forged, other_salt):
        _refused(app, base64.b64encode(json.dumps(payload).encode()).decode(), "altcha_invalid")
    for garbage in (
        "not base64 at all ✓",
        base64.b64encode(b"[1, 2]").decode(),
        "e30=",
        "x" * 5000,
    ):
        _refused(app, garbage, "altcha_invalid")
    for missing in (None, ""):
        _refused(app, missing, "altcha_required")
    # a solution of another instance's challenge (another key) is not ours
    app.config["CITIZEN_KEY"], key = "another instance", app.config["CITIZEN_KEY"]
    foreign = solve_altcha(app.test_client())
    app.config["CITIZEN_KEY"] = key
    _refused(app, foreign, "altcha_invalid")


def test_a_form_token_must_age_and_is_spent_once(app):
    app.config["POW_FORM_SECONDS"] = 5
    now = time.time()
    token = pow.form_token(app.config, now=now)
    _refused(app, token, "altcha_too_fast", now=now + 1)
    _check(app, token, now=now + 6)
    _refused(app, token, "altcha_invalid", now=now + 7)
    stale = pow.form_token(app.config, now=now - 10_000)
    _refused(app, stale, "altcha_invalid", now=now)
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    _refused(app, forged, "altcha_invalid", now=now + 6)
    _refused(app, "t.12x.abc", "altcha_invalid")


def test_spent_rows_are_dropped_once_expired(client, app, db):
    _check(app, solve_altcha(client))
    later = time.time() + app.config["POW_EXPIRES_SECONDS"] + 60
    _check(app, pow.form_token(app.config, now=later), now=later)
    assert db.scalar(sa.select(sa.func.count()).select_from(pow.PowSpent)) == 1


def test_the_anonymous_counter_never_holds_the_address(client, app, db):
    address = "203.0.113.77"
    for _ in range(3):
        assert (
            client.get(
                "/api/v1/public/challenge", environ_base={"REMOTE_ADDR": address}
            ).status_code
            == 200
        )
    keys = db.scalars(sa.text("SELECT key FROM rate_limits")).all()
    assert keys and not [k for k in keys if address in k]
    assert any("anon:" in k for k in keys)


def test_the_anonymous_limit_answers_429(client, app):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    codes = [
        client.get(
            "/api/v1/public/challenge", environ_base={"REMOTE_ADDR": "198.51.100.9"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    # another address has its own counter
    assert (
        client.get(
            "/api/v1/public/challenge", environ_base={"REMOTE_ADDR": "198.51.100.10"}
        ).status_code
        == 200
    )
