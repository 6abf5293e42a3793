"""pipeline.serving.port_is_free: what `velora demo` and `velora twin serve` check before starting."""

from __future__ import annotations

import socket

import pytest

from pipeline.serving import port_is_free


def _listener() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_listening_port_is_in_use() -> None:
    with _listener() as server:
        assert not port_is_free("127.0.0.1", server.getsockname()[1])


def test_a_port_left_in_time_wait_by_a_stopped_server_is_free() -> None:
    """A demo run right after another failed: its twin's closed connections sat in TIME_WAIT."""
    server = _listener()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end waits in TIME_WAIT
    client.close()
    server.close()
    with socket.socket() as plain:  # what the old check did: no SO_REUSEADDR
        try:
            plain.bind(("127.0.0.1", port))
            time_wait_blocks = False
        except OSError:
            time_wait_blocks = True
    if not time_wait_blocks:
        pytest.skip("this kernel lets a plain bind reuse a TIME_WAIT port: nothing to guard")
    assert port_is_free("127.0.0.1", port)
