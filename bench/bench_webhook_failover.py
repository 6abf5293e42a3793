"""Benchmark: a webhook burst through two receivers while one receiver and the loader are killed -9,
on the JetStream path and on the landing-log path, in the same run (issue 11 §5 "Webhooks").

Per path and round: two real ``velora webhooks serve`` processes behind a client-side "balancer"
(a delivery refused or cut goes to the other receiver, as Velora's retry through a load balancer
would), ``velora webhooks load`` running during the burst, and at half the burst one receiver
and the loader killed -9. Then loads run until nothing is left and the warehouse is checked:
every acknowledged delivery exactly once. Reported: acknowledged deliveries per second over the
burst (``--senders`` concurrent senders), and the JetStream / landing-log ratio.

On the landing-log path each receiver needs its own landing directory (the log is one writer's):
the loader loads both, and the killed receiver's acknowledged records load only once its disk is
back and it restarts (recovery seals the open segment). On JetStream both publish to one stream,
one loader consumes it, and nothing waits for the dead machine.

Run: ``nice -n 10 .venv/bin/python -m bench.bench_webhook_failover [--burst 2000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.serving import free_port  # noqa: E402
from pipeline.webhooks.landing import LandingLog  # noqa: E402
from pipeline.webhooks.secrets import sign  # noqa: E402

SECRET = "failover-secret"
VELORA = [sys.executable, "-m", "pipeline.cli"]


def _body(i: int) -> bytes:
    return json.dumps(
        {
            "id": f"evt_failover_{i}",
            "type": "channel.follow",
            "createdAt": "2026-06-05T18:00:00.000Z",
            "data": {"broadcasterId": "c1", "follower": {"id": f"u{i}", "username": f"u{i}"}},
        }
    ).encode()


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("receiver exited during start-up") from None
            time.sleep(0.1)
    raise RuntimeError(f"receiver did not listen on {port}")


def _load(envs: list[dict[str, str]]) -> None:
    for env in envs:
        done = subprocess.run(
            [*VELORA, "webhooks", "load"], env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(done.stderr)


def _round(path: str, burst: int, senders: int, root: Path, nats_url: str | None) -> dict[str, Any]:
    base = {**os.environ, "VELORA_WEBHOOK_SECRET": SECRET, "VELORA_DATA_DIR": str(root)}
    if nats_url:
        base["VELORA_WEBHOOK_JETSTREAM_URL"] = nats_url
        base["VELORA_WEBHOOK_JETSTREAM_ACK_WAIT_SECONDS"] = "2"
    # landing log: one landing dir per receiver (VELORA_DATA_DIR/<n>/landing), one warehouse
    envs = [base] if nats_url else [{**base, "VELORA_DATA_DIR": str(root / str(n))} for n in (0, 1)]
    warehouse = root / "warehouse.duckdb"
    for env in envs:
        env["VELORA_WAREHOUSE"] = str(warehouse)
    ports = [free_port(), free_port()]
    receivers = [
        subprocess.Popen(
            [*VELORA, "webhooks", "serve", "--port", str(port), "--log-level", "warning"],
            env=envs[n % len(envs)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, port in enumerate(ports)
    ]
    loader: subprocess.Popen[bytes] | None = None
    acked: set[str] = set()
    lock = threading.Lock()
    killed = threading.Event()
    try:
        for port, process in zip(ports, receivers, strict=True):
            _wait_listening(port, process)
        clients = [httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=10) for p in ports]
        loader = subprocess.Popen([*VELORA, "webhooks", "load"], env=envs[0])

        def send(i: int) -> None:
            if i == burst // 2 and not killed.is_set():
                killed.set()
                receivers[0].send_signal(signal.SIGKILL)
                if loader is not None:
                    loader.send_signal(signal.SIGKILL)
            body = _body(i)
            headers = {"X-Velora-Signature": sign(body, SECRET)}
            for client in clients[i % 2 :] + clients[: i % 2]:
                try:
                    response = client.post("/webhooks/velora", content=body, headers=headers)
                except httpx.TransportError:
                    continue
                if response.status_code == 200:
                    with lock:
                        acked.add(f"evt_failover_{i}")
                    return

        began = time.perf_counter()
        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(send, range(burst)))
        burst_seconds = time.perf_counter() - began
        for client in clients:
            client.close()
        for process in receivers[1:]:  # the survivor seals its segment on a clean stop
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        if nats_url is None:
            # the killed receiver's acknowledged records sit in its open segment on its own disk:
            # they load once it restarts (recovery seals them), here without serving again
            log = LandingLog(Path(envs[0]["VELORA_DATA_DIR"]) / "landing")
            log.start()
            log.close()
        deadline = time.monotonic() + 60
        while True:
            _load(envs)
            conn = duckdb.connect(str(warehouse), read_only=True)
            keys = [
                r[0] for r in conn.execute("SELECT event_key FROM core.webhook_events").fetchall()
            ]
            conn.close()
            if set(keys) >= acked or time.monotonic() > deadline:
                break
            time.sleep(1)  # JetStream: what the killed loader held returns after the ack wait
    finally:
        for process in [*receivers, *([loader] if loader else [])]:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
    return {
        "path": path,
        "acked": len(acked),
        "acked_per_second": round(len(acked) / burst_seconds, 1),
        "loaded": len(keys),
        "lost": len(acked - set(keys)),
        "doubled": len(keys) - len(set(keys)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Webhook failover: JetStream vs landing log.")
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from pipeline.webhooks.nats_launcher import running_nats

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="velora-failover-") as tmp:
        for n in range(args.rounds):  # interleaved: the machine's noise hits both paths alike
            for path in ("landing", "jetstream"):
                root = Path(tmp) / f"{path}-{n}"
                root.mkdir()
                if path == "jetstream":
                    with running_nats(root / "nats") as (url, _):
                        rows.append(_round(path, args.burst, args.senders, root, url))
                else:
                    rows.append(_round(path, args.burst, args.senders, root, None))
                print(json.dumps(rows[-1]), flush=True)
    rate = {
        path: statistics.median(r["acked_per_second"] for r in rows if r["path"] == path)
        for path in ("landing", "jetstream")
    }
    print(
        json.dumps(
            {
                "median_acked_per_second": rate,
                "ratio_jetstream_to_landing": round(rate["jetstream"] / rate["landing"], 2),
                "lost": sum(r["lost"] for r in rows),
                "doubled": sum(r["doubled"] for r in rows),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
