"""Attachments and the object store (minio SDK), upload checks, the embedded S3 server."""

from __future__ import annotations

from eoffice.core.errors import Unavailable
from eoffice.storage.store import ObjectStore


def get_store_factory(config: dict):
    """Build the store lazily, so an app can be created before its S3 server is up."""
    cache: dict = {}

    def factory() -> ObjectStore:
        if "store" not in cache:
            if not config.get("S3_ENDPOINT"):
                raise Unavailable("no object store is configured (EOFFICE_S3_ENDPOINT)")
            cache["store"] = ObjectStore(
                config["S3_ENDPOINT"],
                config["S3_ACCESS_KEY"],
                config["S3_SECRET_KEY"],
                config["S3_BUCKET"],
                secure=config.get("S3_SECURE", False),
                public_url=config.get("S3_PUBLIC_URL"),
            )
        return cache["store"]

    return factory
