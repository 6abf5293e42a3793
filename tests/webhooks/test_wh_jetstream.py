"""Webhooks through a real NATS JetStream: receivers publish, the loader loads each event once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import duckdb
import pytest
from wh_helpers import follow_body as follow
from wh_helpers import running_receiver

from pipeline.warehouse import connect
from pipeline.warehouse.lake import LakeConfig
from pipeline.webhooks.jetstream import JetStreamConfig
from pipeline.webhooks.jetstream_loader import consume
from pipeline.webhooks.loader import LoadResult, load_segment_bytes
from pipeline.webhooks.nats_launcher import running_nats
from pipeline.webhooks.receiver import ReceiverConfig

SECRET = "js-secret"


def receiver(tmp_path: Path, url: str, name: str = "rx") -> ReceiverConfig:
    return ReceiverConfig(
        landing_dir=tmp_path / name, env_secret=SECRET, jetstream=JetStreamConfig(url)
    )


def events(conn: duckdb.DuckDBPyConnection) -> int:
    row = conn.execute("SELECT count(*) FROM core.webhook_events").fetchone()
    assert row is not None
    return row[0]


def test_two_receivers_publish_each_delivery_once_and_the_loader_loads_it_once(
    tmp_path: Path,
) -> None:
    with (
        running_nats(tmp_path / "nats") as (url, _),
        running_receiver(receiver(tmp_path, url, "a")) as a,
        running_receiver(receiver(tmp_path, url, "b")) as b,
    ):
        for i in range(50):
            # Velora's retry of the same delivery may reach the other receiver
            assert a.post(follow(i), SECRET).status_code == 200
            assert b.post(follow(i), SECRET).status_code == 200
        assert a.client.get("/healthz").json()["published"] == 50
        assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())
        conn = connect(tmp_path / "w.duckdb")
        try:
            first = consume(JetStreamConfig(url), conn, batch=20, max_wait=0.5)
            again = consume(JetStreamConfig(url), conn, batch=20, max_wait=0.5)
            assert first.messages == 50 and first.batches == 3  # micro-batches of 20
            assert first.load.inserted == 50
            assert again.messages == 0  # acked after the commit: nothing is redelivered
            assert events(conn) == 50
            follows = conn.execute("SELECT count(*) FROM core.follows").fetchone()
            assert follows == (50,)
        finally:
            conn.close()


def test_a_batch_loaded_but_not_acked_is_redelivered_and_loaded_no_second_time(
    tmp_path: Path,
) -> None:
    """The loader crashed between its commit and its acks: the batch comes back, event keys
    make the second load a no-op."""
    import nats  # noqa: PLC0415
    from nats.js.api import AckPolicy, ConsumerConfig  # noqa: PLC0415

    config = JetStreamConfig(url="")
    with (
        running_nats(tmp_path / "nats") as (url, _),
        running_receiver(receiver(tmp_path, url)) as rx,
    ):
        config = JetStreamConfig(url, ack_wait_seconds=1.0)
        for i in range(10):
            assert rx.post(follow(i), SECRET).status_code == 200
        conn = connect(tmp_path / "w.duckdb")

        async def load_without_ack() -> int:
            nc = await nats.connect(url)
            js = nc.jetstream()
            sub = await js.pull_subscribe(
                config.subject,
                durable=config.consumer,
                config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=1.0),
            )
            messages = await sub.fetch(10, timeout=2)
            load_segment_bytes(
                conn, "crashed-batch", b"".join(m.data for m in messages), LoadResult()
            )
            await nc.close()  # gone before any ack
            return len(messages)

        try:
            assert asyncio.run(load_without_ack()) == 10
            assert events(conn) == 10
            time.sleep(1.5)  # past the consumer's ack wait: JetStream redelivers
            redelivered = consume(config, conn, batch=100, max_wait=2.0)
            assert redelivered.messages == 10
            assert redelivered.load.inserted == 0
            assert redelivered.load.duplicates == 10
            assert events(conn) == 10
        finally:
            conn.close()


def test_without_jetstream_the_delivery_is_refused_with_503_so_velora_retries(
    tmp_path: Path,
) -> None:
    with running_nats(tmp_path / "nats") as (url, process):
        process.kill()
        process.wait()
        with running_receiver(receiver(tmp_path, url)) as rx:
            response = rx.post(follow(1), SECRET)
            assert response.status_code == 503
            assert response.json() == {"error": "landing_unavailable"}
            health = rx.client.get("/healthz")
            assert health.status_code == 503 and health.json()["last_landing_error"]


def test_the_stream_dedupes_longer_than_velora_retries(tmp_path: Path) -> None:
    import nats  # noqa: PLC0415

    with (
        running_nats(tmp_path / "nats") as (url, _),
        running_receiver(receiver(tmp_path, url)) as rx,
    ):
        assert rx.post(follow(1), SECRET).status_code == 200

        async def window() -> float:
            nc = await nats.connect(url)
            info = await nc.jetstream().stream_info(JetStreamConfig(url).stream)
            await nc.close()
            return float(info.config.duplicate_window or 0)

        # Velora's last retry comes 2 h 36 min after the first attempt
        assert asyncio.run(window()) > (2 * 3600 + 36 * 60)


def test_velora_webhooks_load_consumes_jetstream_when_it_is_configured(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    warehouse_target: Path | LakeConfig,
) -> None:
    from pipeline.webhooks.cli import main  # noqa: PLC0415

    if isinstance(warehouse_target, LakeConfig):  # the second deployment: configuration only
        monkeypatch.setenv("VELORA_WAREHOUSE_BACKEND", "ducklake")
        monkeypatch.setenv("VELORA_LAKE_CATALOG", warehouse_target.catalog)
        monkeypatch.setenv("VELORA_LAKE_DATA_PATH", warehouse_target.data_path)

    with (
        running_nats(tmp_path / "nats") as (url, _),
        running_receiver(receiver(tmp_path, url)) as rx,
    ):
        for i in range(3):
            assert rx.post(follow(i), SECRET).status_code == 200
        monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("VELORA_WEBHOOK_JETSTREAM_URL", url)
        assert main(["load"]) == 0
        assert "3 messages, 3 new events" in capsys.readouterr().out
        assert main(["load"]) == 0  # nothing left: acked after the commit
        assert "0 messages, 0 new events" in capsys.readouterr().out
    with connect(warehouse_target, read_only=True) as conn:
        assert events(conn) == 3


def test_a_cluster_url_with_a_dead_seed_still_publishes_and_loads(tmp_path: Path) -> None:
    from pipeline.serving import free_port  # noqa: PLC0415

    with running_nats(tmp_path / "nats") as (url, _):
        # the first seed is down (a cluster node being replaced): the client moves to the next
        cluster = f"nats://127.0.0.1:{free_port()},{url}"
        with running_receiver(receiver(tmp_path, cluster)) as rx:
            for i in range(5):
                assert rx.post(follow(i), SECRET).status_code == 200
        conn = connect(tmp_path / "w.duckdb")
        try:
            done = consume(JetStreamConfig(cluster), conn, batch=20, max_wait=0.5)
            assert (done.messages, events(conn)) == (5, 5)
        finally:
            conn.close()
