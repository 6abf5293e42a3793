"""The twin's lean webhook sender against a raw socket server that answers exactly as told.

Each case is a way receivers answer in the wild; the sender must read the status right, reuse a
connection only when the server allows it, and tell timeouts and refusals apart.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest

from pipeline.twin.server.webhook_http import ConnectFailed, SendTimeout, WebhookSender

Answer = Callable[[int], bytes]  # request number (0-based) -> raw response bytes

OK_LENGTH = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
CHUNKED = b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
CLOSE = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
HTTP10_TO_EOF = b"HTTP/1.0 200 OK\r\n\r\nbody until the end"
CONTINUE_FIRST = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
SERVER_ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nnope"


async def _serve(
    answer: Answer, close_after_each: bool, run: Callable[[str], Awaitable[None]]
) -> tuple[int, list[bytes]]:
    """Serve on a free port; returns (connections accepted, request bodies seen)."""
    connections = 0
    bodies: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                bodies.append(await reader.readexactly(length))
                response = answer(len(bodies) - 1)
                writer.write(response)
                await writer.drain()
                if close_after_each or response in (CLOSE, HTTP10_TO_EOF):
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await run(f"http://127.0.0.1:{port}/webhooks/velora?x=1")
    return connections, bodies


@pytest.mark.parametrize(
    ("response", "status", "connections"),
    [
        (OK_LENGTH, 200, 1),
        (CHUNKED, 202, 1),
        (CLOSE, 200, 3),
        (HTTP10_TO_EOF, 200, 3),
        (CONTINUE_FIRST, 204, 1),
        (SERVER_ERROR, 500, 1),
    ],
    ids=[
        "content-length-keeps-the-connection",
        "chunked-body-read-to-its-end",
        "connection-close-opens-a-new-one",
        "http-1.0-body-runs-to-eof",
        "interim-100-continue-skipped",
        "non-2xx-status-reported-not-raised",
    ],
)
def test_status_and_connection_reuse(response: bytes, status: int, connections: int) -> None:
    statuses: list[int] = []

    async def run(url: str) -> None:
        sender = WebhookSender(timeout=5.0)
        for i in range(3):
            statuses.append(await sender.post(url, f"body-{i}".encode(), {"X-Test": "1"}))
        await sender.aclose()

    opened, bodies = asyncio.run(_serve(lambda _: response, False, run))
    assert statuses == [status] * 3
    assert bodies == [b"body-0", b"body-1", b"body-2"], "each POST sent once, body intact"
    assert opened == connections


def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    """Receivers drop idle keep-alive connections (uvicorn after 5 s): the next delivery must
    not fail for it, and must still be sent exactly once."""
    statuses: list[int] = []

    async def run(url: str) -> None:
        sender = WebhookSender(timeout=5.0)
        statuses.append(await sender.post(url, b"first", {}))
        await asyncio.sleep(0.05)  # the server's close reaches the idle connection
        statuses.append(await sender.post(url, b"second", {}))
        await sender.aclose()

    opened, bodies = asyncio.run(_serve(lambda _: OK_LENGTH, True, run))
    assert statuses == [200, 200]
    assert bodies == [b"first", b"second"]
    assert opened == 2


def test_no_answer_within_the_timeout_is_a_timeout() -> None:
    async def run(url: str) -> None:
        sender = WebhookSender(timeout=0.2)
        with pytest.raises(SendTimeout):
            await sender.post(url, b"x", {})
        await sender.aclose()

    asyncio.run(_serve(lambda _: b"", False, run))  # the server reads and never answers


def test_a_refused_connection_is_a_connect_failure() -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

        async def run() -> None:
            sender = WebhookSender(timeout=2.0)
            with pytest.raises(ConnectFailed):
                await sender.post(f"http://127.0.0.1:{port}/hook", b"x", {})

        asyncio.run(run())


def test_a_reused_connection_closed_before_any_answer_is_retried_once_on_a_new_one() -> None:
    """The race the idle check cannot see: the server closes just as the request goes out.
    No byte of response came back, so the sender retries once on a fresh connection (webhooks
    are at-least-once; the receiver dedupes by event id)."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                if served == 1:
                    break  # the second request on a connection: hang up without answering
                writer.write(OK_LENGTH)
                await writer.drain()
                served += 1
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    async def run() -> list[int]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
        async with server:
            sender = WebhookSender(timeout=5.0)
            statuses = [await sender.post(url, b"a", {}), await sender.post(url, b"b", {})]
            await sender.aclose()
            return statuses

    assert asyncio.run(run()) == [200, 200]
    assert connections == 2
