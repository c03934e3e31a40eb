"""`eoffice storage sweep` and `eoffice storage check` through click, against the real
`weed mini` and database of the fixtures."""

import io

import pytest
from click.testing import CliRunner

from eoffice.cli import main
from eoffice.cli.storage import LARGE_STORE, Progress
from eoffice.core.config import load_config
from eoffice.storage.embedded import EmbeddedS3, running
from eoffice.storage.models import Attachment
from eoffice.storage.store import ObjectStore
from tests.factories import PDF, PNG, new_file, upload

ORPHAN = "sha256/ab/cd/abcd-left-behind-by-a-crashed-upload"


@pytest.fixture
def store(app):
    """The bucket the whole session shares, emptied: what earlier tests left has no rows here."""
    with app.app_context():
        from eoffice.web.session import get_store

        store = get_store()
        for obj in list(store.list("")):
            store.delete(obj.object_name)
        yield store


@pytest.fixture
def cli(app_config):
    env = {
        "EOFFICE_INSTANCE": str(app_config["INSTANCE"]),
        "EOFFICE_DATABASE_URL": app_config["DATABASE_URL"],
        "EOFFICE_S3_ENDPOINT": app_config["S3_ENDPOINT"],
        "EOFFICE_S3_ACCESS_KEY": app_config["S3_ACCESS_KEY"],
        "EOFFICE_S3_SECRET_KEY": app_config["S3_SECRET_KEY"],
        "EOFFICE_S3_BUCKET": app_config["S3_BUCKET"],
    }

    def run(*args, input=None, **extra_env):
        return CliRunner(env={**env, **extra_env}).invoke(main, ["storage", *args], input=input)

    return run


@pytest.fixture
def attached(store, api):
    """A file with a PDF attached through the API: its object is referenced."""
    clerk = api("clerk")
    fid = new_file(clerk, "सफ़ाई", head="7", category="C")["id"]
    resp = upload(clerk, f"/api/v1/files/{fid}/attachments", PDF, "आदेश.pdf")
    assert resp.status_code == 201
    body = resp.get_json()
    sha = body["sha256"]
    return {"id": body["id"], "key": f"sha256/{sha[:2]}/{sha[2:4]}/{sha}", "file": fid}


def keys(store):
    return sorted(o.object_name for o in store.list("sha256/"))


def test_young_orphan_is_kept_and_old_one_removed_referenced_never(cli, store, attached):
    store.put(ORPHAN, b"no row points here", "text/plain")

    young = cli("sweep", "--yes")  # the default grace is 24 hours
    assert young.exit_code == 0, young.output
    assert "removed 0 " in young.output and "kept 1 unreferenced" in young.output
    assert keys(store) == sorted([attached["key"], ORPHAN])

    past_grace = cli("sweep", "--grace", "0", "--yes")
    assert past_grace.exit_code == 0, past_grace.output
    assert f"removed: {ORPHAN}" in past_grace.output
    assert "looked at 2 objects: removed 1 " in past_grace.output
    assert keys(store) == [attached["key"]]  # the referenced object stays


def test_dry_run_lists_but_removes_nothing(cli, store, attached):
    store.put(ORPHAN, b"no row points here", "text/plain")
    result = cli("sweep", "--grace", "0", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would remove: {ORPHAN}" in result.output
    assert "would remove 1 " in result.output
    assert keys(store) == sorted([attached["key"], ORPHAN])


def test_sweep_asks_before_removing(cli, store, attached):
    store.put(ORPHAN, b"no row points here", "text/plain")
    refused = cli("sweep", "--grace", "0", input="n\n")
    assert refused.exit_code == 1
    assert ORPHAN in refused.stderr and "Remove these 1 objects" in refused.stderr
    assert "nothing was removed" in refused.stderr
    assert ORPHAN in keys(store)

    agreed = cli("sweep", "--grace", "0", input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert keys(store) == [attached["key"]]


def test_nothing_to_sweep_asks_nothing(cli, store, attached):
    result = cli("sweep", "--grace", "0")
    assert result.exit_code == 0, result.output
    assert "Remove these" not in result.output
    assert keys(store) == [attached["key"]]


def test_check_lists_rows_whose_object_is_missing(cli, store, attached, api):
    other = upload(api("clerk"), f"/api/v1/files/{attached['file']}/attachments", PNG, "a.png")
    assert other.status_code == 201

    fine = cli("check")
    assert fine.exit_code == 0, fine.output
    assert "ok: all 2 attachments have their object" in fine.output

    store.delete(attached["key"])
    broken = cli("check")
    assert broken.exit_code == 1
    assert f"missing: attachment {attached['id']} (file {attached['file']})" in broken.output
    assert attached["key"] in broken.output and "आदेश.pdf" in broken.output
    assert broken.stdout.count("missing:") == 1  # the PNG's object is still there
    assert "1 of 2 attachments have no object" in broken.stderr


def test_two_rows_sharing_an_object_keep_it(cli, store, attached, api, db):
    path = f"/api/v1/files/{attached['file']}/attachments"
    again = upload(api("clerk"), path, PDF, "copy.pdf")
    assert again.status_code == 201
    assert db.get(Attachment, again.get_json()["id"]).key == attached["key"]
    result = cli("sweep", "--grace", "0", "--yes")
    assert result.exit_code == 0 and "removed 0 " in result.output
    assert keys(store) == [attached["key"]]


def test_store_down_is_a_clear_message(cli, attached):
    result = cli("check", EOFFICE_S3_ENDPOINT="127.0.0.1:9")
    assert result.exit_code == 2
    assert "cannot be reached" in result.stderr
    assert "Traceback" not in result.output


def test_progress_is_reported_on_large_stores_only():
    small = io.StringIO()
    with Progress(10, "listing objects", stream=small) as progress:
        for _ in range(10):
            progress(1)
    assert small.getvalue() == ""

    large = io.StringIO()
    with Progress(LARGE_STORE * 2, "listing objects", stream=large) as progress:
        for _ in range(LARGE_STORE * 2):
            progress(1)
    lines = large.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[-1] == f"listing objects: {LARGE_STORE * 2:,} of about {LARGE_STORE * 2:,}"


def test_check_reports_progress_when_the_store_is_large(cli, attached, monkeypatch):
    monkeypatch.setattr("eoffice.cli.storage.LARGE_STORE", 1)
    result = cli("check")
    assert result.exit_code == 0
    assert "listing objects: 1 of about 1" in result.stderr


def test_without_an_endpoint_the_store_eoffice_run_serves_is_used(tmp_path, database_url):
    """A second `weed mini` on the same data folder would spoil it: the commands find the one
    running and use it."""
    instance = tmp_path / "instance"
    cfg = load_config({"INSTANCE": instance})  # the instance's own generated S3 keys
    server = EmbeddedS3(instance / "s3", cfg["S3_ACCESS_KEY"], cfg["S3_SECRET_KEY"]).start()
    try:
        assert running(instance / "s3") == server.endpoint
        with pytest.raises(RuntimeError, match="already serves"):
            EmbeddedS3(instance / "s3", cfg["S3_ACCESS_KEY"], cfg["S3_SECRET_KEY"]).start()
        store = ObjectStore(server.endpoint, cfg["S3_ACCESS_KEY"], cfg["S3_SECRET_KEY"], "eoffice")
        store.ensure_bucket()
        store.put(ORPHAN, b"no row points here", "text/plain")
        env = {
            "EOFFICE_INSTANCE": str(instance),
            "EOFFICE_DATABASE_URL": database_url,
            "EOFFICE_S3_ENDPOINT": None,
            "EOFFICE_S3_ACCESS_KEY": None,
            "EOFFICE_S3_SECRET_KEY": None,
            "EOFFICE_S3_BUCKET": None,
        }
        result = CliRunner(env=env).invoke(main, ["storage", "sweep", "--grace", "0", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "starting the embedded S3 server" not in result.output
        assert f"would remove: {ORPHAN}" in result.output
    finally:
        server.stop()
    assert running(instance / "s3") is None
    # with `eoffice run` stopped, the command starts the store for itself and stops it again
    result = CliRunner(env=env).invoke(main, ["storage", "sweep", "--grace", "0", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "starting the embedded S3 server" in result.output
    assert f"would remove: {ORPHAN}" in result.output  # the data outlived the first server
    assert running(instance / "s3") is None
