"""A real HTTP receiver of webhooks on 127.0.0.1 (a thread of the test process), as an integration runs one: it
verifies every signature with the endpoint's secret and keeps what arrived, deduplicated by `Webhook-Id`."""

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from helpdesk.webhooks import verify


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    valid: bool

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once they run out
    delay: float = 0.0  # seconds to wait before answering (a slow receiver)
    answer: bytes = b""  # the body of every answer
    location: str = ""  # sent as Location (with a 3xx status: a redirect)
    claimed_length: int | None = None  # a Content-Length other than the answer's: a body that never ends
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def by_delivery_id(self) -> Counter:
        with self.lock:
            return Counter(item.headers["Webhook-Id"] for item in self.received)

    def all_valid(self) -> bool:
        with self.lock:
            return all(item.valid for item in self.received)


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            headers = dict(self.headers.items())
            with receiver.lock:
                receiver.received.append(Received(headers, body, verify(receiver.secret, headers, body)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            if receiver.delay:
                threading.Event().wait(receiver.delay)
            self.send_response(status)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", str(receiver.claimed_length or len(receiver.answer)))
            self.end_headers()
            self.wfile.write(receiver.answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
