"""A tiny webhook receiver for tests: records every request; ``/fail`` always answers 500."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    base_url: str
    requests: list[Received] = field(default_factory=list)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@contextlib.contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver(base_url="")

    async def record(request: Request) -> PlainTextResponse:
        receiver.requests.append(
            Received(request.url.path, dict(request.headers), await request.body())
        )
        status = 500 if request.url.path.endswith("/fail") else 200
        return PlainTextResponse("ok" if status == 200 else "nope", status_code=status)

    app = Starlette(routes=[Route("/hooks/{name}", record, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "receiver did not start"
        time.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    receiver.base_url = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
