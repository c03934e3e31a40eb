"""The object store: put, get, stat, delete and signed URLs through the minio SDK."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.error import S3Error

from eoffice.core.errors import ObjectMissing, Unavailable


@dataclass
class ObjectInfo:
    key: str
    size: int
    content_type: str
    etag: str
    last_modified: dt.datetime | None = None


_NETWORK_ERRORS = (urllib3.exceptions.HTTPError, OSError)


class ObjectStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        public_url: str | None = None,
    ):
        endpoint = endpoint.removeprefix("http://").removeprefix("https://").rstrip("/")
        # fail fast when the store is down instead of retrying for a minute
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3, read=30),
            retries=urllib3.Retry(total=1, backoff_factor=0.2),
        )
        self.client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http
        )
        self.bucket = bucket
        # signed links are for browsers: signed for the address they reach the store at
        self.public = None
        if public_url:
            parts = urlsplit(public_url)
            self.public = Minio(
                parts.netloc,
                access_key=access_key,
                secret_key=secret_key,
                secure=parts.scheme == "https",
                region="us-east-1",  # signing needs no request to the store
            )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectMissing(
                    "the stored copy of this attachment is missing; the administrator can list "
                    "such attachments with `eoffice storage check`"
                ) from exc
            raise Unavailable(f"object store refused the request: {exc.code}") from exc
        except _NETWORK_ERRORS as exc:
            raise Unavailable("the object store cannot be reached") from exc

    def ensure_bucket(self) -> None:
        if not self._call(self.client.bucket_exists, self.bucket):
            self._call(self.client.make_bucket, self.bucket)

    def ping(self) -> bool:
        try:
            return bool(self._call(self.client.bucket_exists, self.bucket))
        except Unavailable:
            return False

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._call(
            self.client.put_object,
            self.bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=content_type,
        )

    def get(self, key: str) -> bytes:
        resp = self._call(self.client.get_object, self.bucket, key)
        try:
            return resp.read()
        finally:
            resp.close()
            resp.release_conn()

    def stat(self, key: str) -> ObjectInfo:
        st = self._call(self.client.stat_object, self.bucket, key)
        return ObjectInfo(key, st.size, st.content_type, st.etag, st.last_modified)

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
            return True
        except ObjectMissing:
            return False

    def delete(self, key: str) -> None:
        self._call(self.client.remove_object, self.bucket, key)

    def list(self, prefix: str = ""):
        """Every object under `prefix`, page by page (the SDK fetches 1,000 names a request)."""
        objects = self._call(self.client.list_objects, self.bucket, prefix=prefix, recursive=True)
        while True:  # the SDK talks to the server while it is iterated: map its errors too
            obj = self._call(next, objects, None)
            if obj is None:
                return
            yield obj

    def signed_url(self, key: str, minutes: int = 5, filename: str | None = None) -> str | None:
        """A link a browser can fetch the object from for a few minutes, signed for the store's
        public address (EOFFICE_S3_PUBLIC_URL); None when the store has no public address."""
        if self.public is None:
            return None
        headers = None
        if filename:
            from urllib.parse import quote

            headers = {
                "response-content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"
            }
        return self._call(
            self.public.presigned_get_object,
            self.bucket,
            key,
            expires=dt.timedelta(minutes=minutes),
            response_headers=headers,
        )
