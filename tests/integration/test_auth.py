"""Login, logout, sessions, tokens, rate limits and CSRF, against the real app and database."""

import sqlalchemy as sa

from eoffice import create_app
from eoffice.audit.models import AuditEvent
from eoffice.auth.models import User
from tests.conftest import PASSWORD, csrf_from


def test_login_page_is_served_in_hindi_by_default(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'lang="hi"' in html
    assert 'name="csrf_token"' in html


def test_login_and_home_shows_the_desk(client, org, auth):
    resp = auth.login("clerk")
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "SPO-HC" in home.get_data(as_text=True)


def test_wrong_password_is_refused_and_recorded(client, org, auth, db):
    resp = auth.login("clerk", "not the password")
    assert resp.status_code == 401
    assert client.get("/").status_code == 302  # still anonymous: sent to the login page
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert [e.username for e in events] == ["clerk"]
    # unknown users get the same answer
    assert auth.login("nobody", "whatever-123").status_code == 401


def test_api_token_wrong_password_is_401_with_error_body(client, org):
    resp = client.post("/api/v1/token", json={"username": "clerk", "password": "nope-nope"})
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "bad_credentials"


def test_token_request_missing_field_names_it(client, org):
    resp = client.post("/api/v1/token", json={"username": "clerk"})
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["field"] == "password"
    assert "password" in err["message"]
    resp = client.post("/api/v1/token", data="not json", content_type="application/json")
    assert resp.status_code in (400, 422)
    assert "error" in resp.get_json()


def test_token_gives_user_and_desks(client, org):
    resp = client.post("/api/v1/token", json={"username": "officer", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["user"] == {
        "username": "officer",
        "name": "Meera",
        "roles": ["officer"],
        "desks": ["PS1-SHO", "SPO-SP"],
    }
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["username"] == "officer"


def test_api_without_or_with_bad_token_is_401(client, org):
    assert client.get("/api/v1/me").status_code == 401
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer eo_forged"})
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"


def test_api_ignores_the_browser_cookie(client, org, auth):
    """A logged-in browser cookie does not authenticate JSON calls (they carry no CSRF token)."""
    auth.login("admin")
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_token_stops_working(client, org, token_for, db):
    headers = token_for("clerk")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "auth.token_revoked")) == 1
    )


def test_logout_kills_the_old_cookie(app, client, org, auth):
    auth.login("clerk")
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("eoffice_session").value
    assert auth.logout().status_code == 302
    # replay the cookie from before logout in a fresh client
    thief = app.test_client()
    thief.set_cookie("eoffice_session", cookie)
    resp = thief.get("/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_disabled_user_loses_session_tokens_and_login(app, client, org, auth, token_for, db):
    headers = token_for("clerk")
    auth.login("clerk")
    assert client.get("/").status_code == 200
    user = db.scalars(sa.select(User).where(User.username == "clerk")).one()
    admin = db.scalars(sa.select(User).where(User.username == "admin")).one()
    from eoffice.org.service import save_user

    save_user(db, admin, user, {"active": False})
    db.commit()  # the unit of work a request would commit
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    fresh = app.test_client()
    page = fresh.get("/login").get_data(as_text=True)
    resp = fresh.post(
        "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    assert resp.status_code == 401
    assert (
        fresh.post("/api/v1/token", json={"username": "clerk", "password": PASSWORD}).status_code
        == 401
    )


def test_csrf_missing_is_refused(client, org, auth):
    resp = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302  # not logged in
    auth.login("clerk")
    # logged in, a form post without the token is refused too
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_login_rate_limit_is_shared_between_processes(app_config, org):
    """Two app instances (two web processes) on one database count the same attempts."""
    cfg = dict(app_config, LOGIN_RATE_LIMIT="3 per minute")
    first, second = create_app(cfg), create_app(cfg)
    try:
        c1, c2 = first.test_client(), second.test_client()
        for client in (c1, c2, c1):
            resp = client.post("/api/v1/token", json={"username": "clerk", "password": "bad-bad"})
            assert resp.status_code == 401
        resp = c2.post("/api/v1/token", json={"username": "clerk", "password": PASSWORD})
        assert resp.status_code == 429
        assert resp.get_json()["error"]["code"] == "rate_limited"
        # the HTML login page says so instead of logging in
        page = c1.get("/login").get_data(as_text=True)
        resp = c1.post(
            "/login",
            data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_from(page)},
            follow_redirects=True,
        )
        assert resp.request.path == "/login"
        assert c1.get("/").status_code == 302
    finally:
        first.extensions["eoffice.db"].dispose()
        second.extensions["eoffice.db"].dispose()


def test_cookie_flags_and_security_headers(client, org, auth):
    resp = auth.login("clerk")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http here
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"


def test_cookie_is_secure_over_https(app, org):
    client = app.test_client()
    base = "https://eoffice.example"
    page = client.get("/login", base_url=base).get_data(as_text=True)
    # over HTTPS the CSRF check also wants a same-site Referer
    resp = client.post(
        "/login",
        base_url=base,
        headers={"Referer": base + "/login"},
        data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert resp.status_code == 302
    assert "Secure" in resp.headers["Set-Cookie"]


def test_login_redirects_only_within_the_site(client, org):
    page = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    resp = client.post(
        "/login",
        data={
            "username": "clerk",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": csrf_from(page),
        },
    )
    assert resp.headers["Location"] == "/"


def test_desk_switcher_for_a_user_with_two_desks(client, org, auth):
    auth.login("officer")
    html = client.get("/").get_data(as_text=True)
    assert 'id="desk-select"' in html
    token = csrf_from(html)
    resp = client.post("/desk", data={"desk": "SPO-SP", "csrf_token": token})
    assert resp.status_code == 302
    assert 'value="SPO-SP" selected' in client.get("/").get_data(as_text=True)
    # a desk the user does not hold is refused
    resp = client.post("/desk", data={"desk": "OTHER-SP", "csrf_token": token})
    assert resp.status_code == 422


def test_language_choice_is_remembered_per_user(app, client, org, auth, db):
    auth.login("clerk")
    resp = client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
    assert resp.status_code == 302
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    db.rollback()  # end the read snapshot: see what the app committed
    assert db.scalars(sa.select(User.locale).where(User.username == "clerk")).one() == "en"
    # another browser: English again after login
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    other.post(
        "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    assert 'lang="en"' in other.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client, org, auth):
    auth.login("clerk")
    resp = client.post("/language", data={"lang": "fr", "csrf_token": auth.csrf()})
    assert resp.status_code == 422
