"""Settings from EOFFICE_* environment variables, with embedded defaults.

Everything an instance keeps (SQLite file, index, embedded S3 data, generated secrets) lives under
EOFFICE_INSTANCE, so two instances with two folders never share anything.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_LOGIN_LIMIT = "10 per minute; 50 per hour"


def _instance_secret(folder: Path, name: str, nbytes: int = 32) -> str:
    """Read a secret kept in the instance folder, generating it on first use."""
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = dict(overrides or {})
    instance = Path(
        overrides.pop("INSTANCE", None) or env.get("EOFFICE_INSTANCE") or "instance"
    ).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    # secrets, the SQLite file and the embedded store live here: the owner's alone
    try:
        os.chmod(instance, 0o700)
    except PermissionError:  # a folder someone else set up: theirs to keep private
        pass

    cfg: dict = {
        "INSTANCE": instance,
        "SECRET_KEY": env.get("EOFFICE_SECRET_KEY") or _instance_secret(instance, "secret_key"),
        # keys the audit chain: kept outside the database, so that whoever can write the
        # database cannot rewrite the log so that it still verifies
        "AUDIT_KEY": env.get("EOFFICE_AUDIT_KEY") or _instance_secret(instance, "audit_key"),
        "DATABASE_URL": env.get("EOFFICE_DATABASE_URL")
        or f"sqlite:///{instance / 'eoffice.sqlite3'}",
        "S3_ENDPOINT": env.get("EOFFICE_S3_ENDPOINT") or None,
        "S3_ACCESS_KEY": env.get("EOFFICE_S3_ACCESS_KEY") or None,
        "S3_SECRET_KEY": env.get("EOFFICE_S3_SECRET_KEY") or None,
        "S3_BUCKET": env.get("EOFFICE_S3_BUCKET") or "eoffice",
        "S3_SECURE": env.get("EOFFICE_S3_SECURE", "0") == "1",
        # where browsers reach the store (signed download links); none: downloads go through
        # the app, never to an address only the server can reach
        "S3_PUBLIC_URL": env.get("EOFFICE_S3_PUBLIC_URL") or None,
        "INDEX_DIR": Path(env.get("EOFFICE_INDEX_DIR") or instance / "index"),
        # whoosh (the embedded index, INDEX_DIR) or postgres (in the PostgreSQL database itself)
        "SEARCH_BACKEND": env.get("EOFFICE_SEARCH_BACKEND") or "whoosh",
        "LOGIN_RATE_LIMIT": env.get("EOFFICE_LOGIN_RATE_LIMIT") or DEFAULT_LOGIN_LIMIT,
        # PDFs a user may have made a minute (dockets, acknowledgements)
        "PDF_RATE_LIMIT": env.get("EOFFICE_PDF_RATE_LIMIT") or "30 per minute",
        "UPLOAD_LIMIT": int(env.get("EOFFICE_MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "hi",
        # the office's time: pages show every time in it (the database keeps UTC)
        "TIME_ZONE": env.get("EOFFICE_TIME_ZONE") or "Asia/Kolkata",
        "LANGUAGES": ("hi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "eoffice_session",
        "SESSION_HOURS": int(env.get("EOFFICE_SESSION_HOURS", "12")),
        "TOKEN_DAYS": int(env.get("EOFFICE_TOKEN_DAYS", "30")),  # an API token's lifetime
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session, which expires on its own
        # mail over SMTP; with no host, mail is written as .eml files under INSTANCE/mail
        "SMTP_HOST": env.get("EOFFICE_SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("EOFFICE_SMTP_PORT") or 25),
        "SMTP_USER": env.get("EOFFICE_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("EOFFICE_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": env.get("EOFFICE_SMTP_STARTTLS", "0") == "1",
        "MAIL_FROM": env.get("EOFFICE_MAIL_FROM") or "eoffice@localhost",
        # SMS through an HTTP gateway (POST JSON {to, text}); none: no SMS is sent
        "SMS_URL": env.get("EOFFICE_SMS_URL") or None,
        "SMS_TOKEN": env.get("EOFFICE_SMS_TOKEN") or None,
        # a job a worker took is given back to the queue if not finished in this time
        "JOB_LEASE_SECONDS": int(env.get("EOFFICE_JOB_LEASE_SECONDS") or 300),
        # where citizens reach this instance: the base of the links printed on their copies
        "PUBLIC_URL": (env.get("EOFFICE_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # keys the check codes of citizens' documents and the hashes of their secrets
        "CITIZEN_KEY": env.get("EOFFICE_CITIZEN_KEY") or _instance_secret(instance, "citizen_key"),
        "PUBLIC_RATE_LIMIT": env.get("EOFFICE_PUBLIC_RATE_LIMIT") or "30 per minute; 300 per hour",
        # proof-of-work on the anonymous forms (core/pow.py): the work of a challenge, its
        # lifetime, and how soon after being served a form without JavaScript may be sent
        "POW_MAX_NUMBER": int(env.get("EOFFICE_POW_MAX_NUMBER") or 50_000),
        "POW_EXPIRES_SECONDS": int(env.get("EOFFICE_POW_EXPIRES_SECONDS") or 900),
        "POW_FORM_SECONDS": float(env.get("EOFFICE_POW_FORM_SECONDS") or 3),
        "COMPLAINT_SLA_DAYS": int(env.get("EOFFICE_COMPLAINT_SLA_DAYS") or 15),
        "ESCALATE_EVERY_DAYS": int(env.get("EOFFICE_ESCALATE_EVERY_DAYS") or 3),
        "SLA_SWEEP_MINUTES": int(env.get("EOFFICE_SLA_SWEEP_MINUTES") or 5),
        # the office's key for signing issued letters: a PKCS#12 file and its passphrase; none:
        # a key and self-signed certificate generated into INSTANCE/signing.p12 on first use,
        # its subject EOFFICE_SIGNING_NAME (default "eOffice <instance folder>")
        "SIGNING_P12": env.get("EOFFICE_SIGNING_P12") or None,
        "SIGNING_P12_PASSWORD": env.get("EOFFICE_SIGNING_P12_PASSWORD") or None,
        "SIGNING_NAME": env.get("EOFFICE_SIGNING_NAME") or None,
        "TESTING": False,
    }
    if not cfg["S3_ENDPOINT"]:
        # The embedded server (started by `eoffice run`) uses keys generated for this instance.
        cfg["S3_ACCESS_KEY"] = cfg["S3_ACCESS_KEY"] or _instance_secret(
            instance, "s3_access_key", 12
        )
        cfg["S3_SECRET_KEY"] = cfg["S3_SECRET_KEY"] or _instance_secret(
            instance, "s3_secret_key", 24
        )
    cfg.update(overrides)
    # the request may carry a little more than the file itself (form fields, multipart framing)
    cfg.setdefault("MAX_CONTENT_LENGTH", cfg["UPLOAD_LIMIT"] + 1024 * 1024)
    return cfg
