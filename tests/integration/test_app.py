"""App-wide promises: health, the permission check on every route, the OpenAPI document."""

import pytest

from eoffice import create_app
from eoffice.web.access import declared_action


def test_healthz_when_everything_is_up(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json()["ok"] is True


def test_healthz_when_the_object_store_is_down(app_config):
    app = create_app(dict(app_config, S3_ENDPOINT="127.0.0.1:9"))
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["ok"] is False
    assert body["components"] == {"database": True, "object_store": False, "index": True}
    app.extensions["eoffice.db"].dispose()


def test_every_route_declares_its_permission(app):
    with app.test_request_context():
        missing = [
            rule.rule for rule in app.url_map.iter_rules() if declared_action(rule.endpoint) is None
        ]
    assert missing == []


# (path, method) -> expected status for anonymous, clerk, auditor, admin
ROUTES = [
    ("/", "GET", {"anon": 302, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/login", "GET", {"anon": 200, "clerk": 302, "auditor": 302, "admin": 302}),
    ("/admin/", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/admin/desks", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/admin/users", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/admin/offices/new", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/admin/desks/new", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/admin/users/new", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/admin/offices/999", "GET", {"anon": 302, "clerk": 403, "auditor": 404, "admin": 404}),
    ("/audit/", "GET", {"anon": 302, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/healthz", "GET", {"anon": 200, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/search/", "GET", {"anon": 302, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/attachments/999", "GET", {"anon": 302, "clerk": 404, "auditor": 404, "admin": 404}),
    ("/attachments/999/preview", "GET", {"anon": 302, "clerk": 404, "auditor": 404, "admin": 404}),
    ("/files/999/attachments", "POST", {"anon": 400, "clerk": 400, "auditor": 400, "admin": 400}),
    ("/files/999/docket.pdf", "GET", {"anon": 302, "clerk": 404, "auditor": 404, "admin": 404}),
    (
        "/receipts/999/acknowledgement.pdf",
        "GET",
        {"anon": 302, "clerk": 404, "auditor": 404, "admin": 404},
    ),
    ("/api/v1/openapi.json", "GET", {"anon": 200, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/no/such/page", "GET", {"anon": 404, "clerk": 404, "auditor": 404, "admin": 404}),
]
API_ROUTES = [
    ("/api/v1/me", {"anon": 401, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/api/v1/offices", {"anon": 401, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/api/v1/desks", {"anon": 401, "clerk": 200, "auditor": 200, "admin": 200}),
    ("/api/v1/audit/verify", {"anon": 401, "clerk": 403, "auditor": 200, "admin": 200}),
    ("/api/v1/files/999/pdf", {"anon": 401, "clerk": 404, "auditor": 404, "admin": 404}),
    (
        "/api/v1/receipts/999/acknowledgement.pdf",
        {"anon": 401, "clerk": 404, "auditor": 404, "admin": 404},
    ),
    ("/api/v1/nothing", {"anon": 404, "clerk": 404, "auditor": 404, "admin": 404}),
    # without words or filters: 422 before the index is asked anything
    ("/api/v1/search", {"anon": 401, "clerk": 422, "auditor": 422, "admin": 422}),
]


@pytest.mark.parametrize("role", ["anon", "clerk", "auditor", "admin"])
def test_every_page_answers_each_role_as_expected(app, org, role):
    from tests.conftest import Auth

    client = app.test_client()
    if role != "anon":
        Auth(client).login(role)
    for path, method, expected in ROUTES:
        resp = client.open(path, method=method)
        assert resp.status_code == expected[role], (path, role)


@pytest.mark.parametrize("role", ["anon", "clerk", "auditor", "admin"])
def test_every_api_route_answers_each_role_as_expected(client, org, token_for, role):
    headers = token_for(role) if role != "anon" else {}
    for path, expected in API_ROUTES:
        resp = client.get(path, headers=headers)
        assert resp.status_code == expected[role], (path, role)
        if resp.status_code >= 400:
            assert set(resp.get_json()["error"]) >= {"code", "message"}


def test_openapi_document_is_generated_from_the_code(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/token" in doc["paths"]
    assert "post" in doc["paths"]["/api/v1/token"]
    assert "/api/v1/audit/verify" in doc["paths"]


def test_api_speaks_hindi_unchanged(client, org, token_for):
    body = client.get("/api/v1/offices", headers=token_for("clerk")).get_json()
    spo = next(o for o in body["items"] if o["code"] == "SPO")
    assert spo["name_hi"] == "पुलिस अधीक्षक कार्यालय"
    raw = client.get("/api/v1/offices", headers=token_for("clerk")).get_data()
    assert "पुलिस".encode() in raw  # UTF-8, not \u escapes


def test_wrong_method_is_a_json_405(client):
    resp = client.get("/api/v1/token")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"


def test_pages_render_in_both_languages(client, org, auth):
    auth.login("admin")
    hi = client.get("/admin/desks").get_data(as_text=True)
    assert 'lang="hi"' in hi and "पुलिस अधीक्षक" in hi
    client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
    en = client.get("/admin/desks").get_data(as_text=True)
    assert 'lang="en"' in en and "Desks" in en
