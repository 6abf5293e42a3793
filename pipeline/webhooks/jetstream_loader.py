"""The JetStream loader: micro-batches of the webhook stream into the warehouse, acked after
the commit (contract in ``pipeline.webhooks.jetstream``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import duckdb

from pipeline.warehouse import Warehouse, connect
from pipeline.webhooks.jetstream import JetStreamConfig, ensure_stream
from pipeline.webhooks.loader import LoadResult, load_segment_bytes


@dataclass
class ConsumeResult:
    batches: int = 0
    messages: int = 0  # fetched, including a redelivered batch that adds nothing
    load: LoadResult = field(default_factory=LoadResult)


async def _consume(
    config: JetStreamConfig, conn: duckdb.DuckDBPyConnection, *, batch: int, max_wait: float
) -> ConsumeResult:
    import nats  # noqa: PLC0415 - optional backend
    from nats.errors import TimeoutError as NatsTimeout  # noqa: PLC0415
    from nats.js.api import AckPolicy, ConsumerConfig  # noqa: PLC0415

    result = ConsumeResult()
    nc = await nats.connect(config.servers, connect_timeout=5)
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
                return result  # idle for max_wait: a scheduled run is done
            first, last = messages[0].metadata.sequence, messages[-1].metadata.sequence
            name = f"jetstream/{config.stream}/{first.stream:012d}-{last.stream:012d}"
            data = b"".join(m.data for m in messages)
            load_segment_bytes(conn, name, data, result.load)  # commits, or raises: no ack
            for message in messages:
                await message.ack()
            result.batches += 1
            result.messages += len(messages)
    finally:
        await nc.close()


def consume(
    config: JetStreamConfig,
    conn: duckdb.DuckDBPyConnection,
    *,
    batch: int = 2000,
    max_wait: float = 2.0,
) -> ConsumeResult:
    """Load the stream's unacked messages in micro-batches of up to ``batch``; return once a
    fetch waits ``max_wait`` seconds for nothing."""
    return asyncio.run(_consume(config, conn, batch=batch, max_wait=max_wait))


def load_from_jetstream(config: JetStreamConfig, warehouse_path: Warehouse) -> ConsumeResult:
    """``consume`` on a connection of its own. ``.load`` has the landing loader's result shape
    (``segments`` counting the batches loaded)."""
    conn = connect(warehouse_path)
    try:
        return consume(config, conn)
    finally:
        conn.close()


async def _pending(config: JetStreamConfig) -> int:
    import nats  # noqa: PLC0415 - optional backend
    from nats.js.errors import NotFoundError  # noqa: PLC0415

    nc = await nats.connect(config.servers, connect_timeout=2, max_reconnect_attempts=1)
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
