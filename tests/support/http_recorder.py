"""A real HTTP server on 127.0.0.1 that records what it receives: the SMS gateway and the
push service the notification tests talk to (no internet needed)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    status: int = 201
    delay: float = 0.0  # seconds each answer takes: lets two senders overlap
    received: list[Received] = field(default_factory=list)
    url: str = ""
    # answers computed from the request (a provider's fake that checks the signature)
    respond: Callable[[Received], tuple[int, bytes]] | None = None
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                got = Received(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with recorder._lock:
                    recorder.received.append(got)
                time.sleep(recorder.delay)
                status, answer = (
                    recorder.respond(got) if recorder.respond else (recorder.status, b"")
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
