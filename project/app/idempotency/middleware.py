"""ASGI middleware that makes a POST with an ``Idempotency-Key`` header safe to retry.

- first use of a key: the request runs and its response (unless a 5xx) is stored for 24 hours;
- the same key and the same request again: the stored response is replayed, with
  ``Idempotent-Replayed: true``, and nothing runs twice;
- the same key with a different request: 422 problem;
- the same key while the first request is still running: 409 problem.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.idempotency.store import Claimed, IdempotencyStore, InFlight, Mismatch, StoredResponse
from app.problems import as_service_unavailable, problem_response, service_unavailable_response

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_stored(send: Send, stored: StoredResponse) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key_header = None
        if scope["type"] == "http" and scope["method"] == "POST":
            key_header = dict(scope["headers"]).get(HEADER)
        if key_header is None:
            await self.app(scope, receive, send)
            return

        request = Request(scope)
        key = key_header.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            await problem_response(
                request, 400, slug="bad-request", parameter="Idempotency-Key",
                detail=f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
            )(scope, receive, send)  # fmt: skip
            return

        body = await _read_body(receive)
        store = IdempotencyStore(scope["app"].state.database)
        try:
            claim = await store.claim(key, _fingerprint(scope, body))
        except Exception as exc:
            unavailable = as_service_unavailable(exc)
            if unavailable is None:
                raise
            await service_unavailable_response(request, unavailable)(scope, receive, send)
            return
        if isinstance(claim, StoredResponse):
            await _send_stored(send, claim)
            return
        if isinstance(claim, Mismatch | InFlight):
            status, slug, detail = (
                (422, "idempotency-key-reused", "This Idempotency-Key was used with a different request.")
                if isinstance(claim, Mismatch)
                else (
                    409,
                    "idempotency-key-in-flight",
                    "A request with this Idempotency-Key is still running.",
                )
            )
            await problem_response(request, status, slug=slug, detail=detail)(scope, receive, send)
            return
        assert isinstance(claim, Claimed)
        await self._run_and_store(scope, body, send, store, key)

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, store: IdempotencyStore, key: str
    ) -> None:
        body_sent = False

        async def replay_body() -> Message:
            nonlocal body_sent
            if body_sent:
                return {"type": "http.disconnect"}
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend((n.decode("latin-1"), v.decode("latin-1")) for n, v in message["headers"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await store.release(key)
            raise
        if status >= 500:
            await store.release(key)
        else:
            await store.complete(key, StoredResponse(status, headers, b"".join(chunks)))
