"""The JetStream loader: micro-batches of the webhook stream into the warehouse, acked after
the commit (contract in ``pipeline.webhooks.jetstream``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.warehouse import connect
from pipeline.webhooks.jetstream import JetStreamConfig, ensure_stream
from pipeline.webhooks.loader import LoadResult, load_segment_bytes


@dataclass
class ConsumeResult:
    batches: int = 0
    messages: int = 0
    load: LoadResult | None = None


async def _consume(
    config: JetStreamConfig,
    conn: duckdb.DuckDBPyConnection,
    *,
    batch: int,
    max_wait: float,
    stop_when_idle: bool,
    on_batch: Callable[[int], None] | None,
) -> ConsumeResult:
    import nats  # noqa: PLC0415 - optional backend
    from nats.errors import TimeoutError as NatsTimeout  # noqa: PLC0415
    from nats.js.api import AckPolicy, ConsumerConfig  # noqa: PLC0415

    result = ConsumeResult(load=LoadResult())
    nc = await nats.connect(config.url, connect_timeout=5)
    try:
        js = nc.jetstream()
        await ensure_stream(js, config)
        sub = await js.pull_subscribe(
            config.subject,
            durable=config.consumer,
            stream=config.stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=config.ack_wait_seconds),
        )
        while True:
            try:
                messages = await sub.fetch(batch, timeout=max_wait)
            except NatsTimeout:
                messages = []
            if not messages:
                if stop_when_idle:
                    return result
                continue
            first, last = messages[0].metadata.sequence, messages[-1].metadata.sequence
            name = f"jetstream/{config.stream}/{first.stream:012d}-{last.stream:012d}"
            data = b"".join(m.data for m in messages)
            assert result.load is not None
            load_segment_bytes(conn, name, data, result.load)  # commits, or raises: no ack
            for message in messages:
                await message.ack()
            result.batches += 1
            result.messages += len(messages)
            if on_batch is not None:
                on_batch(len(messages))
    finally:
        await nc.close()


def consume(
    config: JetStreamConfig,
    conn: duckdb.DuckDBPyConnection,
    *,
    batch: int = 2000,
    max_wait: float = 2.0,
    stop_when_idle: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> ConsumeResult:
    """Load the stream's unacked messages in micro-batches; with ``stop_when_idle`` return once a
    fetch waits ``max_wait`` seconds for nothing (a scheduled run), else run until cancelled."""
    return asyncio.run(
        _consume(
            config,
            conn,
            batch=batch,
            max_wait=max_wait,
            stop_when_idle=stop_when_idle,
            on_batch=on_batch,
        )
    )


def load_from_jetstream(config: JetStreamConfig, warehouse_path: str | Path) -> LoadResult:
    """``consume`` until idle on a connection of its own: the landing loader's result shape,
    ``segments`` counting the batches loaded."""
    conn = connect(warehouse_path)
    try:
        result = consume(config, conn)
    finally:
        conn.close()
    assert result.load is not None
    return result.load


async def _pending(config: JetStreamConfig) -> int:
    import nats  # noqa: PLC0415 - optional backend
    from nats.js.errors import NotFoundError  # noqa: PLC0415

    nc = await nats.connect(config.url, connect_timeout=2, max_reconnect_attempts=1)
    try:
        js = nc.jetstream()
        try:
            info = await js.consumer_info(config.stream, config.consumer)
        except NotFoundError:  # no loader ran yet: every stored message waits
            try:
                return int((await js.stream_info(config.stream)).state.messages)
            except NotFoundError:
                return 0
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    finally:
        await nc.close()


def pending_messages(config: JetStreamConfig) -> int:
    """Messages the loader has not acked yet (the webhook sensor's trigger)."""
    return asyncio.run(_pending(config))


__all__ = ["ConsumeResult", "consume", "load_from_jetstream", "pending_messages"]
