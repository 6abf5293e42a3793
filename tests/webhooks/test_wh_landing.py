"""Landing-log framing, group commit, sealing and crash recovery."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pipeline.webhooks.framing import (
    HEADER_SIZE,
    FrameError,
    LandingRecord,
    decode_payload,
    encode_record,
    scan_bytes,
)
from pipeline.webhooks.landing import (
    LandingLocked,
    LandingLog,
    recover_open_segments,
    sealed_segments,
)


def rec(i: int, body: bytes | None = None) -> LandingRecord:
    return LandingRecord(
        received_at_ms=1_795_000_000_000 + i,
        key=f"evt_{i}",
        headers={"x-velora-event": "channel.follow"},
        body=body if body is not None else f'{{"id":"evt_{i}"}}'.encode(),
    )


def test_round_trip_keeps_every_field() -> None:
    record = rec(1, b'{"a": "\xc3\xa9"}')
    frame = encode_record(record)
    assert decode_payload(frame[HEADER_SIZE:]) == record
    assert [r for _, r in scan_bytes(frame).records] == [record]


@pytest.mark.parametrize(
    "cut", [1, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 5, -1], ids=lambda c: f"torn-at-{c}"
)
def test_torn_tail_is_detected_and_skipped(cut: int) -> None:
    good = encode_record(rec(1)) + encode_record(rec(2))
    torn = encode_record(rec(3))[:cut]
    scan = scan_bytes(good + torn)
    assert [r.key for _, r in scan.records] == ["evt_1", "evt_2"]
    assert scan.torn_tail and scan.valid_length == len(good)


def test_flipped_byte_fails_crc_and_reader_resyncs_on_next_record() -> None:
    first, second, third = (encode_record(rec(i)) for i in (1, 2, 3))
    damaged = bytearray(first + second + third)
    damaged[len(first) + HEADER_SIZE + 3] ^= 0xFF  # inside record 2's payload
    scan = scan_bytes(bytes(damaged))
    assert [r.key for _, r in scan.records] == ["evt_1", "evt_3"]
    assert scan.damaged and scan.damaged[0][1] == "crc mismatch"
    assert not scan.torn_tail


def test_body_containing_the_magic_does_not_confuse_the_reader() -> None:
    data = encode_record(rec(1, b'{"x": "VWL1VWL1"}')) + encode_record(rec(2))
    assert [r.key for _, r in scan_bytes(data).records] == ["evt_1", "evt_2"]


def test_unreadable_meta_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        decode_payload(b"\x00\x00\x00\x05{nope")


@pytest.mark.parametrize("workers", [1, 4], ids=["inline-fsync", "overlapping-fsyncs"])
def test_concurrent_appends_share_fsyncs_and_all_land(tmp_path: Path, workers: int) -> None:
    batches: list[int] = []
    log = LandingLog(tmp_path, fsync_workers=workers, on_batch=lambda b: batches.append(b.records))
    log.start()
    threads = [threading.Thread(target=log.append, args=(rec(i),)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    names = sealed_segments(tmp_path)
    keys = [r.key for n in names for _, r in scan_bytes((tmp_path / n).read_bytes()).records]
    assert sorted(keys) == sorted(f"evt_{i}" for i in range(200))
    assert sum(batches) == 200
    assert not list(tmp_path.glob("*.open"))


def test_segments_rotate_by_size(tmp_path: Path) -> None:
    log = LandingLog(tmp_path, max_segment_bytes=300)
    log.start()
    for i in range(10):
        log.append(rec(i))
    log.close()
    names = sealed_segments(tmp_path)
    assert len(names) > 1 and names == sorted(names)
    total = sum(len(scan_bytes((tmp_path / n).read_bytes()).records) for n in names)
    assert total == 10


def test_close_with_nothing_written_leaves_no_segment(tmp_path: Path) -> None:
    log = LandingLog(tmp_path)
    log.start()
    log.close()
    assert sealed_segments(tmp_path) == [] and not list(tmp_path.glob("seg-*"))


def test_second_writer_on_same_directory_is_refused(tmp_path: Path) -> None:
    first = LandingLog(tmp_path)
    first.start()
    try:
        with pytest.raises(LandingLocked, match="in use"):
            LandingLog(tmp_path).start()
    finally:
        first.close()


def test_recovery_cuts_torn_tail_and_seals(tmp_path: Path) -> None:
    good = encode_record(rec(1)) + encode_record(rec(2))
    (tmp_path / "seg-00000000000000000001.open").write_bytes(good + encode_record(rec(3))[:-4])
    (tmp_path / "seg-00000000000000000002.open").write_bytes(encode_record(rec(4))[:7])
    report = recover_open_segments(tmp_path)
    assert report.sealed == ["seg-00000000000000000001.seg"]
    assert report.removed_empty == ["seg-00000000000000000002.open"]
    assert (tmp_path / report.sealed[0]).read_bytes() == good


def test_start_recovers_a_crashed_open_segment(tmp_path: Path) -> None:
    (tmp_path / "seg-00000000000000000001.open").write_bytes(encode_record(rec(1)) + b"\x00garbage")
    log = LandingLog(tmp_path)
    log.start()
    log.append(rec(2))
    log.close()
    names = sealed_segments(tmp_path)
    keys = [r.key for n in names for _, r in scan_bytes((tmp_path / n).read_bytes()).records]
    assert keys == ["evt_1", "evt_2"]


@pytest.mark.parametrize("workers", [1, 4], ids=["inline-fsync", "overlapping-fsyncs"])
def test_write_failure_is_reported_not_acknowledged(tmp_path: Path, workers: int) -> None:
    from pipeline.webhooks.landing import LandingError

    log = LandingLog(tmp_path, fsync_workers=workers)
    log.start()
    log.append(rec(1))
    assert log._segment is not None
    os.close(log._segment.fd)  # simulate the disk going away under the writer
    with pytest.raises(LandingError):
        log.append(rec(2))
    log.append(rec(3))  # a fresh segment is opened after the failure
    log.close()
    keys = [
        r.key
        for n in sealed_segments(tmp_path)
        for _, r in scan_bytes((tmp_path / n).read_bytes()).records
    ]
    assert "evt_1" in keys and "evt_3" in keys and "evt_2" not in keys


def test_idle_segment_is_sealed_once_old_enough(tmp_path: Path) -> None:
    import time

    log = LandingLog(tmp_path, max_segment_age_seconds=0.05)
    log.start()
    try:
        log.append(rec(1))
        deadline = time.monotonic() + 10
        while not sealed_segments(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sealed_segments(tmp_path), "an idle segment past its age must be sealed"
        assert log.open_segment is None
    finally:
        log.close()


@pytest.mark.parametrize(
    "key",
    ['evt_"quoted"', "evt_é_unicode", "evt_\n_newline", "sha256:" + "ab" * 32],
    ids=["quote-in-key", "non-ascii-key", "control-char-in-key", "hash-key"],
)
def test_meta_is_valid_json_for_awkward_keys_and_headers(key: str) -> None:
    import json

    record = LandingRecord(1, key, {"x-velora-event": 'ch"é'}, b"{}")
    frame = encode_record(record)
    meta_len = int.from_bytes(frame[HEADER_SIZE : HEADER_SIZE + 4], "big")
    meta = json.loads(frame[HEADER_SIZE + 4 : HEADER_SIZE + 4 + meta_len])
    assert meta == {"received_at_ms": 1, "key": key, "headers": {"x-velora-event": 'ch"é'}}
    assert decode_payload(frame[HEADER_SIZE:]) == record


@pytest.mark.parametrize("workers", [1, 4], ids=["inline-fsync", "overlapping-fsyncs"])
def test_fsync_failure_is_not_acknowledged_and_segment_is_sealed(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.webhooks.landing as landing

    log = LandingLog(tmp_path, fsync_workers=workers)
    log.start()
    log.append(rec(1))
    real = os.fdatasync
    calls = {"n": 0}

    def failing_once(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(5, "Input/output error")
        real(fd)

    monkeypatch.setattr(landing.os, "fdatasync", failing_once)
    with pytest.raises(landing.LandingError, match="Input/output error"):
        log.append(rec(2))
    assert log.last_error is not None
    log.append(rec(3))  # lands in a fresh segment: the failed one was sealed
    log.close()
    names = sealed_segments(tmp_path)
    assert len(names) == 2
    second = [r.key for _, r in scan_bytes((tmp_path / names[1]).read_bytes()).records]
    assert second == ["evt_3"]


def test_async_batches_ack_only_after_their_fsync_and_a_failure_hits_only_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request is acknowledged only after the fdatasync of the batch it joined; a failing
    fsync fails exactly that batch, and a cancelled request leaves its batch-mates waiting."""
    import asyncio

    import pipeline.webhooks.landing as landing

    real = os.fdatasync
    gates = [threading.Event() for _ in range(4)]
    entered = [threading.Event() for _ in range(4)]
    calls = {"n": 0}

    def gated(fd: int) -> None:  # fsync n blocks until gates[n]; the second one fails
        n = calls["n"]
        calls["n"] += 1
        if n < len(gates):
            entered[n].set()
            assert gates[n].wait(10)
        if n == 1:
            raise OSError(5, "Input/output error")
        real(fd)

    monkeypatch.setattr(landing.os, "fdatasync", gated)
    log = LandingLog(tmp_path)
    log.start()

    async def wait_for(event: threading.Event) -> None:
        assert await asyncio.to_thread(event.wait, 10)

    async def settle(tasks: list[asyncio.Task[None]]) -> list[BaseException | None]:
        done = await asyncio.gather(*tasks, return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in done]

    async def scenario() -> None:
        first = asyncio.create_task(log.append_async(rec(0)))
        await wait_for(entered[0])  # batch 1 (evt_0) is in its fsync
        second = [asyncio.create_task(log.append_async(rec(i))) for i in range(1, 11)]
        await asyncio.sleep(0.05)
        assert not first.done() and not any(t.done() for t in second)  # no ack before fsync
        gates[0].set()
        assert await settle([first]) == [None]
        await wait_for(entered[1])  # batch 2 (evt_1..10) is in its (failing) fsync
        third = [asyncio.create_task(log.append_async(rec(i))) for i in range(11, 16)]
        await asyncio.sleep(0.05)
        assert not any(t.done() for t in second + third)
        gates[1].set()
        errors = await settle(second)
        assert all(isinstance(e, landing.LandingError) for e in errors)
        await wait_for(entered[2])  # batch 3 (evt_11..15) syncs in a fresh segment
        third[1].cancel()  # a cancelled request must not cancel its batch-mates' wait
        await asyncio.sleep(0.05)
        assert not any(t.done() for i, t in enumerate(third) if i != 1)
        gates[2].set()
        gates[3].set()
        results = await settle(third)
        assert isinstance(results[1], asyncio.CancelledError)
        assert [r for i, r in enumerate(results) if i != 1] == [None] * 4

    try:
        asyncio.run(scenario())
    finally:
        for gate in gates:
            gate.set()
        log.close()
    keys = [
        r.key
        for n in sealed_segments(tmp_path)
        for _, r in scan_bytes((tmp_path / n).read_bytes()).records
    ]
    # evt_1..10 were written but never acknowledged (the loader may see them; Velora retries).
    assert {"evt_0", *(f"evt_{i}" for i in range(11, 16))} <= set(keys)
    assert log.last_error is not None and "Input/output error" in log.last_error
