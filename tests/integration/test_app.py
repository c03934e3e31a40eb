"""App-wide promises: health, the OpenAPI document, JSON errors, both languages. Who may reach
which route is test_access_matrix's."""

from eoffice import create_app


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
