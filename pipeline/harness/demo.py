"""``velora demo``: the whole product on one machine, started and stopped together.

Order matters:

1. The twin starts with a frozen clock at the start of the history, and the webhook receiver
   is subscribed and started before anything moves, so the twin delivers the history's webhook
   events as seeding advances its clock (the receiver accepts old bodies: max event age 0).
2. ``velora seed`` steps the clock through the history polling every group (coarser than the
   schedules, which each poll row records). The twin delivers each advance's webhooks behind the
   polls and the seeder loads the sealed landing segments as they appear; it waits for the last
   deliveries before it ends. Then the last segment is loaded, the marts are built from core and
   one snapshot is published. The seeder owns the warehouse meanwhile (DuckDB allows one writer).
3. The twin's clock catches up with the present and runs in real time; Dagster (the only
   writer from then on) and Streamlit (reads published snapshots only) start.

Ctrl-C, SIGTERM or SIGHUP stops everything started.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from pipeline.cadence import aligned_start
from pipeline.config import TWIN_CLIENT_ID, TWIN_CLIENT_SECRET, Settings
from pipeline.serving import port_is_free
from pipeline.webhooks.landing import OPEN_SUFFIX

WEBHOOK_EVENTS = (
    "channel.follow,channel.subscribe,channel.subscription.gift,channel.subscription.end,"
    "channel.volts,channel.points.redeem,channel.raid,stream.online,stream.offline"
)


# Per-channel groups poll ~200 requests each (plus, in the twin, the leaderboards' all-time sums):
# once a day of twin time keeps the week's seed under 3 minutes (every 6 h took it to ~260 s).
DEMO_CHANNEL_CADENCE = 1440
SEALED_WAIT_SECONDS = 20.0
# More deliveries in flight let the receiver land more of them per fsync (group commit): a
# day of the demo's deliveries took 13.4-16.2 s at 16, 9.5-10 s at 64, 6.9-8.6 s at 128.
DEMO_WEBHOOK_CONCURRENCY = 128


class DemoError(Exception):
    """A demo step failed; the message says which and what to do."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="seed history, then serve twin, receiver, Dagster and the dashboard"
    )
    parser.add_argument(
        "--days", type=float, default=7.0, help="days of history to seed (default 7)"
    )
    parser.add_argument("--creators", type=int, default=2000, help="creators in the twin's world")
    parser.add_argument("--seed", type=int, default=42, help="the twin world's seed")
    parser.add_argument(
        "--cadence", type=int, default=15, help="minutes between seeded live polls (default 15)"
    )
    parser.add_argument(
        "--channel-cadence",
        type=int,
        default=DEMO_CHANNEL_CADENCE,
        help="minutes between seeded per-channel polls: leaderboards, chat, clips, profiles, teams "
        f"(default {DEMO_CHANNEL_CADENCE}; each costs ~200 requests)",
    )
    parser.add_argument("--no-seed", action="store_true", help="skip seeding history")
    parser.add_argument(
        "--no-serve",
        action="store_true",
        help="stop after seeding, loading webhooks and building the marts (no Dagster, no dashboard)",
    )
    parser.set_defaults(func=run)


def wait_until_ready(url: str, proc: subprocess.Popen, name: str, timeout: float) -> None:
    """Poll ``url`` until it answers; fail fast with the service's own exit if it dies."""
    import httpx  # here, not at the top: every `velora` command imports this module

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoError(f"{name} exited with status {proc.returncode} while starting")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise DemoError(f"{name} did not answer at {url} within {timeout:.0f} s")


@dataclass
class Services:
    """Child processes, each in its own process group so Ctrl-C reaches all of their children."""

    env: Mapping[str, str]
    log_dir: Path
    procs: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            argv, env=dict(self.env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append((name, proc))
        return proc

    def watch(self) -> NoReturn:
        """Block while every service runs; a service that dies ends the demo with its log."""
        while True:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise DemoError(
                        f"{name} stopped unexpectedly (exit status {proc.returncode}); "
                        f"see {self.log_dir / (name + '.log')}"
                    )
            time.sleep(1.0)

    def stop_all(self, grace: float = 15.0) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"  {name} did not stop in {grace:.0f} s; killing it", flush=True)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def demo_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["DAGSTER_HOME"] = str(settings.dagster_home.resolve())
    env["VELORA_DATA_DIR"] = str(settings.data_dir.resolve())
    env["VELORA_WAREHOUSE"] = str(settings.warehouse_path.resolve())
    # the demo's own twin knows its default app; a real app's id and secret are kept
    env.setdefault("VELORA_CLIENT_ID", TWIN_CLIENT_ID)
    env.setdefault("VELORA_CLIENT_SECRET", TWIN_CLIENT_SECRET)
    return env


def check_ports(settings: Settings) -> tuple[str, int]:
    twin = urlsplit(settings.api_base_url)
    if twin.hostname not in ("127.0.0.1", "localhost"):
        raise DemoError(
            f"the demo runs the local twin, but VELORA_API_BASE_URL is {settings.api_base_url}; "
            "unset it for the demo"
        )
    twin_port = twin.port or 80
    wanted = {
        "twin (VELORA_API_BASE_URL)": twin_port,
        "webhook receiver (VELORA_WEBHOOK_PORT)": settings.webhook_port,
        "Dagster UI (DAGSTER_PORT)": settings.dagster_port,
        "Streamlit (STREAMLIT_PORT)": settings.streamlit_port,
    }
    busy = [
        f"{what} port {port}"
        for what, port in wanted.items()
        if not port_is_free("127.0.0.1", port)
    ]
    if busy:
        raise DemoError(
            "ports already in use: " + ", ".join(busy) + ". Is another demo running? Stop it, "
            "or choose other ports with the variables named."
        )
    return "127.0.0.1", twin_port


def bin_path(name: str) -> str:
    """Executables come from the same environment as this interpreter (the project venv)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise DemoError(
            f"{name} is not installed in {path.parent}; run `make demo` (it installs it)"
        )
    return str(path)


def run_step(what: str, argv: list[str], env: Mapping[str, str]) -> None:
    print(f"• {what}", flush=True)
    began = time.monotonic()
    result = subprocess.run(argv, env=dict(env))
    if result.returncode != 0:
        raise DemoError(f"{what} failed (exit status {result.returncode}); see the output above")
    print(f"  ({time.monotonic() - began:.1f} s)", flush=True)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP (``kill``, a process manager, a closed terminal) stop the demo the way
    Ctrl-C does, so no server outlives it. SIGINT is armed too: a shell that starts the demo in
    the background hands it SIGINT ignored. Only the main thread can install handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace, on_ready: Callable[[], None] | None = None) -> int:
    from pipeline.errors import UserFacingError

    settings = Settings.from_env()
    try:
        with stop_on_signals():
            return _run(args, settings, on_ready)
    except DemoError as exc:
        raise UserFacingError(str(exc)) from None


def _run(args: argparse.Namespace, settings: Settings, on_ready: Callable[[], None] | None) -> int:
    host, twin_port = check_ports(settings)
    for name in ("velora",) if args.no_serve else ("velora", "dagster", "streamlit"):
        bin_path(name)  # fail before starting anything
    for sub in ("logs", "landing", "secrets", "published"):
        (settings.data_dir / sub).mkdir(parents=True, exist_ok=True)
    env = demo_env(settings)
    started = time.monotonic()
    services = Services(env=env, log_dir=settings.data_dir / "logs")
    try:
        now = datetime.now(UTC)
        history_start = now if args.no_seed else aligned_start(now, args.days)
        start_twin_and_receiver(services, settings, env, args, host, twin_port, history_start)
        if not args.no_seed:
            seed_everything(settings, env, args)
        run_twin_in_real_time(settings.api_base_url)
        if args.no_serve:
            print(f"\nseeded, loaded and built in {time.monotonic() - started:.0f} s", flush=True)
            return 0
        serve_dashboards(services, settings, env)
        print(
            f"\nVelora Analytics demo is up ({time.monotonic() - started:.0f} s):\n"
            f"  Dashboard   http://127.0.0.1:{settings.streamlit_port}\n"
            f"  Dagster UI  http://127.0.0.1:{settings.dagster_port}\n"
            f"  Velora twin {settings.api_base_url}  (OpenAPI: {settings.api_base_url}/openapi.json)\n"
            f"  Webhooks    http://{settings.webhook_host}:{settings.webhook_port}/webhooks/velora\n"
            f"  Logs        {settings.data_dir / 'logs'}\n"
            "Press Ctrl-C to stop everything.",
            flush=True,
        )
        if on_ready is not None:
            on_ready()
            return 0
        services.watch()
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        services.stop_all()


def start_twin_and_receiver(
    services: Services,
    settings: Settings,
    env: Mapping[str, str],
    args: argparse.Namespace,
    host: str,
    twin_port: int,
    history_start: datetime,
) -> None:
    """A frozen twin at ``history_start``, the receiver subscribed to it and listening."""
    velora = bin_path("velora")
    twin = services.start(
        "twin",
        [
            velora,
            "twin",
            "serve",
            "--host",
            host,
            "--port",
            str(twin_port),
            "--clock",
            "frozen",
            "--start",
            history_start.isoformat(),
            # seeding asks for whole weeks in a minute; the demo's twin is ours alone
            "--rate-limit",
            "0",
            "--subscriber-rate-limit",
            "0",
            "--allow-http-webhooks",  # the demo's receiver listens on plain loopback http
            "--webhook-concurrency",
            str(DEMO_WEBHOOK_CONCURRENCY),
            "--seed",
            str(args.seed),
            "--creators",
            str(args.creators),
        ],
    )
    wait_until_ready(f"{settings.api_base_url}/_twin/clock", twin, "the twin", 60)
    # Subscribe before the clock moves, so every event of the history is delivered; the receiver
    # only starts with a secret to verify against. The twin is new, so secrets from an earlier
    # demo belong to webhooks that no longer exist.
    settings.webhook_secret_file.unlink(missing_ok=True)
    run_step(
        "subscribing the receiver to the twin's webhooks",
        [
            velora,
            "webhooks",
            "subscribe",
            "--url",
            f"http://{settings.webhook_host}:{settings.webhook_port}/webhooks/velora",
            "--events",
            WEBHOOK_EVENTS,
        ],
        env,
    )
    receiver = services.start(
        "webhooks",
        # replayed history carries old body timestamps; short segments are loadable sooner
        [velora, "webhooks", "serve", "--max-event-age-hours", "0", "--segment-max-age", "10"],
    )
    wait_until_ready(
        f"http://{settings.webhook_host}:{settings.webhook_port}/healthz",
        receiver,
        "the webhook receiver",
        30,
    )


def seed_everything(settings: Settings, env: Mapping[str, str], args: argparse.Namespace) -> None:
    """Seed every group from the frozen twin, load the webhooks it delivered meanwhile, then
    build the marts from core and publish once."""
    velora = bin_path("velora")
    channel = str(args.channel_cadence)
    run_step(
        f"seeding {args.days:g} simulated days: live every {args.cadence} min, per-channel "
        f"groups every {args.channel_cadence} min (webhooks delivered as the clock moves)",
        [
            velora,
            "seed",
            "--base-url",
            settings.api_base_url,
            "--days",
            str(args.days),
            "--select",
            "all",
            "--cadence",
            str(args.cadence),
            "--leaderboard-cadence",
            channel,
            "--hourly-cadence",
            channel,
            "--seed",
            str(args.seed),
            "--creators",
            str(args.creators),
            "--no-marts",
            "--no-publish",
            "--webhooks-in-background",  # deliveries overlap the polls (settled before the end)
            "--load-webhooks",  # and so does loading them: only the last segments are left
        ],
        env,
    )
    wait_for_sealed_segments(settings.landing_dir, SEALED_WAIT_SECONDS)
    run_step("loading the delivered webhooks", [velora, "webhooks", "load"], env)
    run_step("building the marts and publishing a snapshot", [velora, "rebuild"], env)


def wait_for_sealed_segments(landing_dir: Path, timeout: float) -> None:
    """The receiver seals a segment a moment after its last record; the loader reads only
    sealed ones, so wait until no open segment holds records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(p.stat().st_size for p in landing_dir.glob(f"*{OPEN_SUFFIX}")):
            return
        time.sleep(0.3)
    raise DemoError(f"the webhook receiver did not seal its segment in {landing_dir} in time")


def run_twin_in_real_time(base_url: str) -> None:
    """Catch the frozen clock up with the present (delivering the last webhooks), then let it
    run in real time for the schedules."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=120.0) as http:
        now = datetime.now(UTC)
        clock = http.get("/_twin/clock").json()
        if datetime.fromisoformat(str(clock["now"]).replace("Z", "+00:00")) < now:
            http.post("/_twin/clock/advance", json={"to": now.isoformat()}).raise_for_status()
        http.post("/_twin/clock", json={"mode": "real"}).raise_for_status()


def serve_dashboards(services: Services, settings: Settings, env: Mapping[str, str]) -> None:
    dagster, streamlit = bin_path("dagster"), bin_path("streamlit")
    # dagster.yaml (sqlite or PostgreSQL storage) and the warehouse pool's limit for this backend
    run_step("preparing the Dagster instance", [sys.executable, "-m", "assets.instance"], env)
    dagster_proc = services.start(
        "dagster",
        [
            dagster,
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(settings.dagster_port),
        ],
    )
    # Streamlit starts while Dagster loads its code (they share nothing), then both are awaited.
    dashboard = services.start(
        "streamlit",
        [
            streamlit,
            "run",
            "dashboards/streamlit_app.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(settings.streamlit_port),
            "--browser.gatherUsageStats",
            "false",
        ],
    )
    wait_until_ready(
        f"http://127.0.0.1:{settings.dagster_port}/server_info", dagster_proc, "Dagster", 180
    )
    wait_until_ready(
        f"http://127.0.0.1:{settings.streamlit_port}/_stcore/health", dashboard, "Streamlit", 60
    )
