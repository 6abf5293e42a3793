"""Fixtures for client unit tests (test doubles live in ``fakes.py``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pipeline.client import ClientConfig, VeloraClient

from .fakes import BASE_URL, FakeClock, Handler, Recorder

MakeClient = Callable[..., tuple[VeloraClient, Recorder]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[MakeClient]:
    clients: list[VeloraClient] = []

    def make(handler: Handler, **config: Any) -> tuple[VeloraClient, Recorder]:
        recorder = Recorder(handler)
        config.setdefault("base_url", BASE_URL)
        client = VeloraClient(
            ClientConfig(**config),
            transport=httpx.MockTransport(recorder),
            clock=clock,
            rng=random.Random(7),
        )
        clients.append(client)
        return client, recorder

    yield make
    for c in clients:
        c.close()
