"""The twin's webhook sender: a lean HTTP/1.1 client with keep-alive connections per origin.

Why not httpx: profiling the demo's seed showed two thirds of the twin's CPU inside
``httpx.AsyncClient.post`` (the connection pool's bookkeeping, anyio streams, and httpcore
retrying ``import sniffio`` on every request), which made webhook delivery the demo's
bottleneck. Every delivery is still its own signed POST; only the sender is cheaper.

What it does: ``POST`` with the given headers plus ``Host`` and ``Content-Length``; reads the
status line, the headers and a ``Content-Length``, chunked or read-to-close body. An idle
connection is reused unless the server closed it (or asked to with ``Connection: close``); a
reused connection that the server closed just as the request went out (no byte of response)
is retried once on a new connection, as nothing was received. ``https`` uses the default
certificate checks.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 * 1024

Origin = tuple[str, str, int]  # scheme, host, port
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class SendError(Exception):
    """The request failed before a whole response arrived (connect, protocol or I/O error)."""


class ConnectFailed(SendError):
    """No connection to the receiver (refused, unreachable, TLS handshake failed)."""


class SendTimeout(SendError):
    """No whole response within the timeout."""


class _StaleConnection(SendError):
    """A reused connection was closed by the server before any response byte."""


class WebhookSender:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._idle: dict[Origin, list[Connection]] = {}
        self._ssl: ssl.SSLContext | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` to ``url``; the response's status code. Raises :class:`SendError`."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise SendError(f"unsupported webhook URL {url!r}")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise SendError(f"bad port in {url!r}") from exc
        origin: Origin = (scheme, parts.hostname, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rpartition("@")[2]
        lines = [f"POST {target} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            async with asyncio.timeout(self.timeout):
                try:
                    return await self._exchange(origin, request, reuse=True)
                except _StaleConnection:
                    return await self._exchange(origin, request, reuse=False)
        except TimeoutError:
            raise SendTimeout(f"no response from {url} within {self.timeout:g} s") from None

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for _, writer in conns:
                writer.close()

    async def _exchange(self, origin: Origin, request: bytes, *, reuse: bool) -> int:
        conn, reused = self._take(origin) if reuse else (None, False)
        if conn is None:
            conn = await self._connect(origin)
        reader, writer = conn
        keep = False
        try:
            writer.write(request)
            await writer.drain()
            status, keep = await _read_response(reader, reused)
            return status
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise SendError(f"{type(exc).__name__}: {exc}") from None
        finally:
            if keep:
                self._idle.setdefault(origin, []).append(conn)
            else:
                writer.close()

    def _take(self, origin: Origin) -> tuple[Connection | None, bool]:
        idle = self._idle.get(origin)
        while idle:
            reader, writer = idle.pop()
            if reader.at_eof() or writer.is_closing():  # the server closed it while idle
                writer.close()
                continue
            return (reader, writer), True
        return None, False

    async def _connect(self, origin: Origin) -> Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        try:
            return await asyncio.open_connection(host, port, ssl=context, limit=MAX_HEAD_BYTES)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectFailed(f"cannot connect to {host}:{port}: {exc}") from None


async def _read_response(reader: asyncio.StreamReader, reused: bool) -> tuple[int, bool]:
    """The status and whether the connection may be reused; the body is read and dropped."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if reused and not exc.partial:
                raise _StaleConnection("connection closed before the response") from None
            raise
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise SendError(f"not an HTTP/1.x response: {status_line[:80]!r}")
        status = int(rest[:3])
        if status >= 200 or status == 101:
            break  # 1xx interim responses (100 Continue) precede the real one
    fields: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip().lower()
    keep = version == "HTTP/1.1" and "close" not in fields.get("connection", "")
    if "chunked" in fields.get("transfer-encoding", ""):
        await _drain_chunked(reader)
    elif "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif status not in (204, 304):
        await reader.read()  # no length: the body runs to the end of the connection
        keep = False
    return status, keep


async def _drain_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return
        await reader.readexactly(size + 2)
