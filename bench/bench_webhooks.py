"""Benchmark: durably-acknowledged webhook deliveries/s vs a bare ASGI hello-world.

Both servers run the same way (uvicorn, one worker, same loop/http implementation, access log
off, loopback) and are driven by the same load generator: a small raw-socket HTTP/1.1 keep-alive
client in its own process (much cheaper than httpx, so it doesn't dominate the 2 cores).

    .venv/bin/python bench/bench_webhooks.py [--rounds 5] [--seconds 4] [--connections 64]

Reports, side by side in one run:
- closed-loop throughput (median of rounds) for hello-world, the receiver (group commit,
  fsync before every 2xx), and a naive receiver that fsyncs once per request; ratios to hello;
- open-loop latency (p50/p99, measured from the scheduled send time) at 1,000 deliveries/s.
Results also go to bench/results/webhooks.json (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "bench-secret"


# -- servers ----------------------------------------------------------------------------------
async def hello_app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:  # read the body, as any webhook endpoint must
        message = await receive()
        more = message.get("more_body", False)
    body = b'{"status":"accepted"}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"21")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def naive_app(landing_dir: Path):  # type: ignore[no-untyped-def]
    """Verify like the receiver, then write + fsync inline per request (no group commit)."""
    from pipeline.webhooks.framing import LandingRecord, encode_record
    from pipeline.webhooks.receiver import ReceiverConfig, WebhookReceiver

    receiver = WebhookReceiver(ReceiverConfig(landing_dir=landing_dir, env_secret=SECRET))
    landing_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(landing_dir / "naive.open", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await hello_app(scope, receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        record: LandingRecord = receiver._verify(headers, b"".join(chunks), None)[0]
        os.write(fd, encode_record(record))
        os.fdatasync(fd)
        body = b'{"status":"accepted"}'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"21")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def run_server(kind: str, port: int, landing_dir: Path) -> None:
    import uvicorn

    if kind == "hello":
        app = hello_app
    elif kind == "naive":
        app = naive_app(landing_dir)
    else:
        from pipeline.webhooks.jetstream import JetStreamConfig
        from pipeline.webhooks.receiver import ReceiverConfig, WebhookReceiver

        workers = int(os.environ.get("BENCH_FSYNC_WORKERS", "1"))  # 1 = the receiver default
        stream = JetStreamConfig(os.environ["BENCH_NATS_URL"]) if kind == "jetstream" else None
        app = WebhookReceiver(
            ReceiverConfig(
                landing_dir=landing_dir, env_secret=SECRET, fsync_workers=workers, jetstream=stream
            )
        )
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )


# -- load generator ---------------------------------------------------------------------------
def build_requests(n: int, port: int) -> list[bytes]:
    from pipeline.webhooks.secrets import sign

    now_ms = int(time.time() * 1000)
    # The body's own timestamp is inside the receiver's event-age window, as a live one would be.
    stamp = datetime.fromtimestamp(now_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    requests = []
    for i in range(n):
        body = json.dumps(
            {
                "id": f"evt_bench_{now_ms}_{i}",
                "type": "channel.follow",
                "timestamp": stamp.replace("+00:00", "Z"),
                "data": {
                    "broadcasterId": "u_1",
                    "follower": {"id": f"u_{i}", "username": f"viewer{i}"},
                    "followedAt": "2026-11-28T08:15:00.000Z",
                },
            }
        ).encode()
        head = (
            f"POST /webhooks/velora HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Velora-Event: channel.follow\r\nX-Velora-Timestamp: {now_ms}\r\n"
            f"X-Velora-Signature: {sign(body, SECRET)}\r\n\r\n"
        ).encode()
        requests.append(head + body)
    return requests


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def closed_loop(port: int, seconds: float, connections: int, requests: list[bytes]) -> dict:
    done = 0
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        nonlocal done, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            status = await _one(reader, writer, requests[next(counter) % len(requests)])
            if status == 200:
                done += 1
            else:
                errors += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {"rps": done / elapsed, "ok": done, "errors": errors, "seconds": elapsed}


async def open_loop(
    port: int, rate: float, seconds: float, connections: int, requests: list[bytes]
) -> dict:
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    start = time.perf_counter() + 0.05

    async def fire(i: int) -> None:
        nonlocal errors
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        reader, writer = await pool.get()  # waiting here counts: latency is from `scheduled`
        try:
            status = await _one(reader, writer, requests[i % len(requests)])
        finally:
            pool.put_nowait((reader, writer))
        if status != 200:
            errors += 1
        latencies.append(time.perf_counter() - scheduled)

    await asyncio.gather(*(fire(i) for i in range(total)))
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    achieved = len(latencies) / (time.perf_counter() - start)
    return {
        "offered_rps": rate,
        "achieved_rps": achieved,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "errors": errors,
    }


def run_loadgen(args: argparse.Namespace) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    requests = build_requests(4000, args.port)
    if args.mode == "closed":
        result = asyncio.run(closed_loop(args.port, args.seconds, args.connections, requests))
    else:
        result = asyncio.run(
            open_loop(args.port, args.rate, args.seconds, args.connections, requests)
        )
    print(json.dumps(result))


# -- orchestration ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, landing: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--landing", str(landing)],
        cwd=ROOT,
    )
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def loadgen(port: int, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--loadgen", "--port", str(port), *extra],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--jetstream",
        action="store_true",
        help="also the receiver publishing to a local nats-server (JetStream) instead of the log",
    )
    # internal modes
    parser.add_argument("--serve", choices=["hello", "receiver", "naive", "jetstream"])
    parser.add_argument("--loadgen", action="store_true")
    parser.add_argument("--mode", choices=["closed", "open"], default="closed")
    parser.add_argument("--port", type=int)
    parser.add_argument("--landing", type=Path)
    args = parser.parse_args()
    if args.serve:
        return run_server(args.serve, args.port, args.landing)
    if args.loadgen:
        return run_loadgen(args)

    kinds = ["hello", "receiver"] + ([] if args.skip_naive else ["naive"])
    kinds += ["jetstream"] if args.jetstream else []
    rps: dict[str, list[float]] = {k: [] for k in kinds}
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(
            tempfile.TemporaryDirectory(
                prefix="bench-webhooks-", dir=ROOT / "data" if (ROOT / "data").is_dir() else None
            )
        )
        if args.jetstream:
            from pipeline.webhooks.nats_launcher import running_nats

            nats_url, _ = stack.enter_context(running_nats(Path(tmp) / "nats"))
            os.environ["BENCH_NATS_URL"] = nats_url  # inherited by the server processes
        for r in range(args.rounds):
            for kind in kinds:  # interleaved, so drift hits every server alike
                proc, port = start_server(kind, Path(tmp) / f"{kind}-{r}")
                try:
                    loadgen(
                        port,
                        "--mode",
                        "closed",
                        "--seconds",
                        "0.5",
                        "--connections",
                        str(args.connections),
                    )  # warm-up
                    result = loadgen(
                        port,
                        "--mode",
                        "closed",
                        "--seconds",
                        str(args.seconds),
                        "--connections",
                        str(args.connections),
                    )
                finally:
                    stop(proc)
                rps[kind].append(result["rps"])
                print(
                    f"round {r + 1} {kind:9} {result['rps']:8.0f} req/s  errors={result['errors']}",
                    flush=True,
                )
        latency = {}
        for kind in ("hello", "receiver"):
            proc, port = start_server(kind, Path(tmp) / f"{kind}-latency")
            try:
                latency[kind] = loadgen(
                    port,
                    "--mode",
                    "open",
                    "--rate",
                    str(args.rate),
                    "--seconds",
                    "5",
                    "--connections",
                    str(args.connections),
                )
            finally:
                stop(proc)
    medians = {k: statistics.median(v) for k, v in rps.items()}
    # Paired per-round ratios are less sensitive to load from other processes on a shared box.
    paired = [r / h for r, h in zip(rps["receiver"], rps["hello"], strict=True)]
    report = {
        "cpus": os.cpu_count(),
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
        "connections": args.connections,
        "rps": rps,
        "median_rps": medians,
        "ratio_receiver_to_hello": medians["receiver"] / medians["hello"],
        "ratio_naive_to_hello": medians["naive"] / medians["hello"] if "naive" in medians else None,
        "ratio_jetstream_to_receiver": (
            medians["jetstream"] / medians["receiver"] if "jetstream" in medians else None
        ),
        "paired_round_ratios": paired,
        "median_paired_ratio": statistics.median(paired),
        "latency_at_rate": latency,
    }
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "webhooks.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
