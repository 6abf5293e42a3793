"""Two receivers and the loader as real processes, one receiver and the loader killed -9 in the
middle of a burst: every acknowledged delivery is loaded exactly once (issue 11 §5)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
from wh_helpers import follow_body

from pipeline.webhooks.jetstream import JetStreamConfig
from pipeline.webhooks.jetstream_loader import pending_messages
from pipeline.webhooks.nats_launcher import running_nats
from pipeline.webhooks.secrets import sign

SECRET = "crash-secret"
BURST = 600
VELORA = [sys.executable, "-m", "pipeline.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            assert process.poll() is None, "receiver exited during start-up"
            time.sleep(0.1)
    raise AssertionError(f"receiver did not listen on {port}")


def wait_until_fetched(url: str) -> None:
    """Until the loader's durable consumer has handed out messages (so the kill hits a loader
    in the middle of its work, not one still starting)."""
    import nats  # noqa: PLC0415

    config = JetStreamConfig(url)

    async def delivered() -> int:
        nc = await nats.connect(url)
        try:
            info = await nc.jetstream().consumer_info(config.stream, config.consumer)
            return int(info.delivered.stream_seq or 0) if info.delivered else 0
        except Exception:  # noqa: BLE001 - no consumer yet
            return 0
        finally:
            await nc.close()

    deadline = time.monotonic() + 30
    while asyncio.run(delivered()) == 0:
        assert time.monotonic() < deadline, "the loader never fetched"
        time.sleep(0.1)


def test_kill_9_of_a_receiver_and_the_loader_loses_and_doubles_nothing(tmp_path: Path) -> None:
    with running_nats(tmp_path / "nats") as (url, _):
        env = {
            **os.environ,
            "VELORA_DATA_DIR": str(tmp_path),
            "VELORA_WEBHOOK_SECRET": SECRET,
            "VELORA_WEBHOOK_JETSTREAM_URL": url,
            "VELORA_WEBHOOK_JETSTREAM_ACK_WAIT_SECONDS": "2",
        }
        ports = [free_port(), free_port()]
        receivers = [
            subprocess.Popen(
                [*VELORA, "webhooks", "serve", "--port", str(p), "--log-level", "warning"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for p in ports
        ]
        loader: subprocess.Popen[bytes] | None = None
        try:
            for port, process in zip(ports, receivers, strict=True):
                wait_listening(port, process)
            acked: set[str] = set()
            clients = [httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=10) for p in ports]
            for i in range(BURST):
                if i == 0:  # the loader runs while the burst goes on ...
                    loader = subprocess.Popen([*VELORA, "webhooks", "load"], env=env)
                if i == BURST // 2:  # ... and dies with one receiver, mid-burst, once it fetched
                    wait_until_fetched(url)
                    receivers[0].send_signal(signal.SIGKILL)
                    loader.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
                body = follow_body(i)
                headers = {"X-Velora-Signature": sign(body, SECRET)}
                for client in clients[i % 2 :] + clients[: i % 2]:  # the balancer's next choice
                    try:
                        response = client.post("/webhooks/velora", content=body, headers=headers)
                    except httpx.TransportError:
                        continue  # that receiver is dead: Velora retries, the balancer moves on
                    if response.status_code == 200:
                        acked.add(f"evt_follow_{i}")
                        break
            for client in clients:
                client.close()
            assert len(acked) == BURST  # the surviving receiver took every retry
            # what the killed loader fetched and never acked comes back after the ack wait; the
            # Dagster sensor keeps requesting loads while JetStream reports unacked messages
            deadline = time.monotonic() + 60
            while True:
                done = subprocess.run(
                    [*VELORA, "webhooks", "load"], env=env, capture_output=True, text=True
                )
                assert done.returncode == 0, done.stderr
                if pending_messages(JetStreamConfig(url)) == 0 or time.monotonic() > deadline:
                    break
        finally:
            for process in [*receivers, *([loader] if loader else [])]:
                if process.poll() is None:
                    process.kill()
                process.wait(timeout=30)
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        keys = [r[0] for r in conn.execute("SELECT event_key FROM core.webhook_events").fetchall()]
        follows = conn.execute("SELECT count(*) FROM core.follows").fetchone()
    finally:
        conn.close()
    assert len(keys) == len(set(keys))  # nothing loaded twice
    assert set(keys) == acked  # nothing acknowledged is lost
    assert follows == (BURST,)
