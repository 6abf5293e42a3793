"""Loader: exactly-once per segment, dedupe across segments, quarantine, test events, checks."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from wh_helpers import envelope

from pipeline.schemas import UnknownTableError
from pipeline.warehouse import Warehouse, connect
from pipeline.warehouse.tables import check_table
from pipeline.webhooks.framing import LandingRecord, encode_record
from pipeline.webhooks.landing import LandingLog
from pipeline.webhooks.loader import load_sealed_segments, pending_segments
from pipeline.webhooks.receiver import idempotency_key

TS_MS = 1_795_000_000_000


def land(landing: Path, bodies: list[bytes]) -> None:
    log = LandingLog(landing)
    log.start()
    for body in bodies:
        doc: Any = None
        with contextlib.suppress(ValueError):
            doc = json.loads(body)
        log.append(
            LandingRecord(
                TS_MS, idempotency_key(body, doc), {"x-velora-event": "channel.follow"}, body
            )
        )
    log.close()


def count(db: Warehouse, sql: str) -> Any:
    conn = connect(db, read_only=True)
    try:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def follow(i: int, channel: str = "c1") -> bytes:
    return envelope(
        f"evt_f{i}", "channel.follow", {"broadcasterId": channel, "follower": {"id": f"u{i}"}}
    )


def test_load_is_exactly_once_across_reruns_and_duplicate_segments(
    tmp_path: Path, warehouse_target: Warehouse
) -> None:
    # on both backends: the lake has no primary key, so only the anti-joins stop a double
    landing, db = tmp_path / "landing", warehouse_target
    land(landing, [follow(1), follow(2), follow(1)])  # retry inside one segment
    land(landing, [follow(2), follow(3)])  # replay in a later segment
    assert len(pending_segments(landing)) == 2
    first = load_sealed_segments(landing, db)
    assert (first.segments, first.records, first.inserted, first.duplicates) == (2, 5, 3, 2)
    again = load_sealed_segments(landing, db)
    assert (again.segments, again.inserted) == (0, 0)
    assert pending_segments(landing, db) == []
    assert count(db, "SELECT count(*) FROM core.webhook_events") == 3
    assert count(db, "SELECT count(*) FROM core.follows") == 3
    assert count(db, "SELECT count(*) FROM ops.webhook_segments_loaded") == 2


def test_crash_inside_the_transaction_leaves_no_rows_and_no_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.webhooks.loader as loader

    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    land(landing, [follow(1), follow(2)])
    real_insert = loader._insert

    def insert_then_die(
        conn: duckdb.DuckDBPyConnection, table: str, df: Any, key: tuple[str, ...]
    ) -> None:
        real_insert(conn, table, df, key)
        if table == "core.follows":
            raise KeyboardInterrupt("crash after rows, before checkpoint")

    monkeypatch.setattr(loader, "_insert", insert_then_die)
    with pytest.raises(KeyboardInterrupt):
        load_sealed_segments(landing, db)
    assert count(db, "SELECT count(*) FROM core.webhook_events") == 0
    assert count(db, "SELECT count(*) FROM ops.webhook_segments_loaded") == 0
    monkeypatch.setattr(loader, "_insert", real_insert)
    result = load_sealed_segments(landing, db)
    assert result.inserted == 2
    assert count(db, "SELECT count(*) FROM core.follows") == 2


def test_same_segment_name_is_never_loaded_twice_even_if_rows_were_deleted(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    land(landing, [follow(1)])
    load_sealed_segments(landing, db)
    conn = connect(db)
    conn.execute("DELETE FROM core.follows")
    conn.close()
    assert load_sealed_segments(landing, db).segments == 0
    assert count(db, "SELECT count(*) FROM core.follows") == 0


def test_unusable_records_are_quarantined_not_dropped(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    land(
        landing,
        [
            b"[1, 2, 3]",  # JSON but not an envelope
            envelope("evt_nofollower", "channel.follow", {"broadcasterId": "c1"}),
            envelope(
                "evt_nocount",
                "channel.gift",
                {"broadcasterId": "c1", "gifter": {"id": "g"}, "amount": 5},
            ),
            follow(1),
        ],
    )
    result = load_sealed_segments(landing, db)
    assert result.quarantined == 3 and len(result.errors) == 3
    assert result.inserted == 3  # the two typed failures keep their raw event
    reasons = count(
        db, "SELECT string_agg(reason, ' | ' ORDER BY record_offset) FROM core.webhook_quarantine"
    )
    assert "not an object" in reasons and "follower id" in reasons and "giftCount" in reasons
    assert count(db, "SELECT count(*) FROM core.follows") == 1


def test_damaged_bytes_in_a_sealed_segment_are_quarantined_and_the_rest_loaded(
    tmp_path: Path,
) -> None:
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    landing.mkdir()
    frames = [encode_record(LandingRecord(TS_MS, f"evt_f{i}", {}, follow(i))) for i in (1, 2, 3)]
    data = bytearray(b"".join(frames))
    data[len(frames[0]) + 20] ^= 0xFF
    (landing / "seg-00000000000000000001.seg").write_bytes(bytes(data))
    result = load_sealed_segments(landing, db)
    assert result.inserted == 2 and result.quarantined == 1
    assert "crc mismatch" in result.errors[0]


def test_test_events_are_kept_raw_but_not_typed(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    land(
        landing,
        [
            envelope(
                "evt_t",
                "channel.follow",
                {"broadcasterId": "c1", "follower": {"id": "u"}, "isTest": True},
            ),
            follow(1),
        ],
    )
    result = load_sealed_segments(landing, db)
    assert (result.inserted, result.test_events) == (2, 1)
    assert count(db, "SELECT count(*) FROM core.webhook_events WHERE is_test") == 1
    assert count(db, "SELECT count(*) FROM core.follows") == 1


def test_gifted_sub_counted_once(tmp_path: Path) -> None:
    """A gift of 2 plus its two channel.subscribe(isGift) echoes: 2 gifted subs, 0 paid subs."""
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    gift = envelope(
        "evt_g",
        "channel.gift",
        {
            "broadcasterId": "c1",
            "gifter": {"id": "g"},
            "giftCount": 2,
            "recipients": [{"id": "r1"}, {"id": "r2"}],
        },
    )
    echoes = [
        envelope(
            f"evt_s{i}",
            "channel.subscribe",
            {"broadcasterId": "c1", "subscriber": {"id": f"r{i}"}, "isGift": True},
        )
        for i in (1, 2)
    ]
    paid = envelope(
        "evt_p",
        "channel.subscribe",
        {"broadcasterId": "c1", "subscriber": {"id": "p"}, "isGift": False},
    )
    land(landing, [gift, *echoes, paid])
    load_sealed_segments(landing, db)
    assert count(db, "SELECT sum(gift_count) FROM core.gifts") == 2
    assert count(db, "SELECT count(*) FROM core.subscriptions WHERE NOT is_gift") == 1
    assert count(db, "SELECT count(*) FROM core.subscriptions WHERE is_gift") == 2


def test_every_table_passes_its_schema_after_a_mixed_load(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    land(
        landing,
        [
            follow(1),
            envelope(
                "e2",
                "channel.subscribe",
                {"broadcasterId": "c1", "subscriber": {"id": "u"}, "tier": "1000", "months": 3},
            ),
            envelope(
                "e3",
                "channel.subscription.end",
                {
                    "broadcasterId": "c1",
                    "userId": "u",
                    "reason": "expired",
                    "endedAt": "2026-11-28T08:00:00Z",
                },
            ),
            envelope(
                "e4",
                "channel.gift",
                {"broadcasterId": "c1", "gifter": {"isAnonymous": True}, "quantity": 1},
            ),
            envelope(
                "e5", "channel.cheer", {"broadcasterId": "c1", "sender": {"id": "s"}, "volts": 10}
            ),
            envelope(
                "e6",
                "channel.points.redeem",
                {
                    "broadcasterId": "c1",
                    "reward": {"id": "r", "name": "n", "cost": 5},
                    "user": {"id": "u"},
                },
            ),
            envelope(
                "e7", "channel.raid", {"broadcasterId": "c1", "from": {"id": "x"}, "viewerCount": 9}
            ),
            envelope(
                None,
                "stream.online",
                {"userId": "c1", "stream": {"id": "s", "startedAt": "2026-11-28T08:00:00Z"}},
            ),
        ],
    )
    load_sealed_segments(landing, db)
    conn = duckdb.connect(str(db), read_only=True)
    try:
        from pipeline.schemas.webhooks import WEBHOOK_SCHEMAS

        for table in WEBHOOK_SCHEMAS:
            report = check_table(conn, table)
            assert report.passed, (table, report.summary)
            assert report.rows == (8 if table == "core.webhook_events" else 1)
        with pytest.raises(UnknownTableError):
            check_table(conn, "core.nope")
    finally:
        conn.close()


def test_check_reports_failures(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    conn = connect(db)
    conn.execute(
        "INSERT INTO core.volts_tips (event_key, channel_id, channel_source, event_at, "
        "is_anonymous, volts, tipped_at) VALUES ('k', 'c1', 'payload', now(), false, -5, now())"
    )
    report = check_table(conn, "core.volts_tips")
    conn.close()
    assert not report.passed and report.failures == 1 and "volts" in report.summary
