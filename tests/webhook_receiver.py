"""A webhook endpoint on a free local port for tests: records each call, checks its HMAC signature
when given the secret, and answers scripted statuses (then 200)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lakehouse.notify import webhook


class Receiver:
    """`with Receiver([503, 200], secret) as r: ...`; r.url, r.calls ({headers, body, verified}).

    With a secret, a call whose signature does not verify gets 401 (and does not use up a status).
    """

    def __init__(
        self, statuses: list[int] | None = None, secret: str | None = None, path: str = "/hooks"
    ) -> None:
        self.statuses = list(statuses or [])
        self.secret = secret
        self.calls: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                verified = receiver.verify(dict(self.headers), body)
                scripted = receiver.statuses.pop(0) if receiver.statuses and verified is not False else 200
                status = 401 if verified is False else scripted
                receiver.calls.append({"headers": dict(self.headers), "body": body, "verified": verified})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"nope")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verify(self, headers: dict[str, str], body: bytes) -> bool | None:
        """None without a secret (nothing checked)."""
        if self.secret is None:
            return None
        try:
            webhook.verify_signature(self.secret, headers, body)
        except webhook.SignatureError:
            return False
        return True

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
