"""SMS: queued as a job in the caller's transaction, posted to an HTTP gateway by the worker.

The gateway (EOFFICE_SMS_URL) gets `POST {"to", "text", "id"}` as JSON, with
`Authorization: Bearer EOFFICE_SMS_TOKEN` when a token is set; any answer but 2xx is a failure
and the job is tried again later. `id` is fixed when the SMS is queued, so a gateway can tell a
message sent again after a crash from a new one. With no gateway configured nothing is queued.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

from sqlalchemy.orm import Session

from eoffice.core import jobs
from eoffice.core.mail import record_sent

SMS_TIMEOUT = 10  # seconds


def queue_sms(
    session: Session, config: dict, *, to: str, text: str, key: str | None = None
) -> jobs.Job | None:
    """Queue an SMS in the caller's transaction; None (nothing queued) when no gateway is set."""
    if not config.get("SMS_URL"):
        return None
    if not isinstance(to, str) or not to.strip():
        raise ValueError(f"not a phone number: {to!r}")
    payload = {"to": to.strip(), "text": text, "id": uuid.uuid4().hex}
    return jobs.enqueue(session, "sms.send", payload, key=key)


class GatewayError(Exception):
    pass


def post_sms(config: dict, *, to: str, text: str, sms_id: str) -> None:
    url = config.get("SMS_URL")
    if not url:
        raise jobs.Permanent("no SMS gateway is configured (EOFFICE_SMS_URL): not sent")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise jobs.Permanent(f"the SMS gateway is not an http(s) address: {url}")
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
    if config.get("SMS_TOKEN"):
        headers["Authorization"] = f"Bearer {config['SMS_TOKEN']}"
    body = json.dumps({"to": to, "text": text, "id": sms_id}, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=SMS_TIMEOUT) as answer:  # noqa: S310
            status = answer.status
            answer.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace")
        exc.close()
        raise GatewayError(f"the SMS gateway answered {exc.code}: {detail}") from None
    if not 200 <= status < 300:
        raise GatewayError(f"the SMS gateway answered {status}")


@jobs.handler("sms.send")
def _send(ctx: jobs.JobContext, payload: dict) -> None:
    to, sms_id = payload.get("to"), payload.get("id")
    if not to or not sms_id:
        raise jobs.Permanent("an SMS job needs a number and an id")
    post_sms(ctx.config, to=to, text=payload.get("text") or "", sms_id=sms_id)
    record_sent(
        ctx.session,
        channel="sms",
        message_id=f"sms:{sms_id}",
        recipient=to,
        subject=None,
        job_id=ctx.job.id,
    )
