"""``velora demo`` stops every service it started on Ctrl-C, SIGTERM or SIGHUP.

Runs the demo's own supervision pieces (``stop_on_signals``, ``Services``) in a child process
with a long-sleeping service, signals the child, and checks that the service's process group is
gone. The full demo (Dagster, Streamlit) takes a minute to start; this path is what stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_SUPERVISOR = """
import os, sys, time
from pathlib import Path
from pipeline.harness.demo import Services, stop_on_signals

services = Services(env=dict(os.environ), log_dir=Path(sys.argv[1]))
with stop_on_signals():
    try:
        child = services.start("sleeper", [sys.executable, "-c", "import time; time.sleep(600)"])
        print(child.pid, flush=True)
        services.watch()
    except KeyboardInterrupt as exc:
        print(f"stopping on {exc}", flush=True)
    finally:
        services.stop_all(grace=10)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("sig", "sigint_ignored_at_start"),
    [
        # `kill <pid>` or a process manager: the default action would orphan every server
        pytest.param(signal.SIGTERM, False, id="sigterm"),
        # the terminal running `make demo` is closed
        pytest.param(signal.SIGHUP, False, id="sighup"),
        # started in the background by a shell, which hands it SIGINT ignored
        pytest.param(signal.SIGINT, True, id="sigint-after-background-start"),
    ],
)
def test_signal_stops_every_service(
    tmp_path: Path, sig: signal.Signals, sigint_ignored_at_start: bool
) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", _SUPERVISOR, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint if sigint_ignored_at_start else None,  # noqa: PLW1509
    )
    try:
        assert supervisor.stdout is not None
        service_pid = int(supervisor.stdout.readline())
        assert _alive(service_pid)
        time.sleep(0.3)  # inside watch()
        supervisor.send_signal(sig)
        assert supervisor.wait(timeout=30) == 0
        assert f"stopping on {sig.name}" in supervisor.stdout.read()
        assert not _alive(service_pid)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
