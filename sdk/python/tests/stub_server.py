"""A local HTTP server answering from a table of canned responses, recording each request."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

#: (status, JSON body or text, headers)
Answer = Tuple[int, Any, Dict[str, str]]
Route = Callable[["Request"], Answer]


class Request:
    def __init__(self, method: str, path: str, query: Dict[str, str], headers: Dict[str, str], body: Any):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body


class StubServer:
    """``routes[(method, path)]`` answers; each a list consumed in order (the last one repeats)."""

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], List[Route]] = {}
        self.requests: List[Request] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Request(
                    self.command,
                    url.path,
                    {k: v[0] for k, v in parse_qs(url.query).items()},
                    dict(self.headers.items()),
                    json.loads(raw) if raw else None,
                )
                stub.requests.append(request)
                answers = stub.routes.get((self.command, url.path))
                if not answers:
                    status, body, headers = 404, {"error": {"name": "NotFoundError", "message": "no route"}}, {}
                else:
                    route = answers.pop(0) if len(answers) > 1 else answers[0]
                    status, body, headers = route(request)
                payload = body if isinstance(body, str) else json.dumps(body)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                data = payload.encode("utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def on(self, method: str, path: str, *answers: Answer, handler: Optional[Route] = None) -> None:
        routes: List[Route] = [lambda _r, a=a: a for a in answers]
        if handler:
            routes.append(handler)
        self.routes[(method, f"/api/ingestion{path}")] = routes

    def __enter__(self) -> "StubServer":
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
