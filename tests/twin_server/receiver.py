"""A tiny webhook receiver for tests: records every request; ``/fail`` always answers 500."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from pipeline.serving import serving


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
    with serving(app, lifespan="off", name="recording-receiver") as base_url:
        receiver.base_url = base_url
        yield receiver
