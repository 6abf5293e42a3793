"""Landing-log record framing: ``MAGIC | u32 length | u32 crc32 | payload``.

The payload is ``u32 meta_len | meta JSON | raw body``. The meta also names the webhook
subscription a delivery arrived on and the channel(s) that subscription serves, as they were
when it was received, so the loader needs nothing but the log. The length and CRC let a reader tell a
complete record from a torn tail (a crash in the middle of a write) or a corrupted region; the
magic lets it find the next record after damage instead of giving up on the whole segment.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _json_string

MAGIC = b"VWL1"
_HEADER = struct.Struct(">4sII")  # magic, payload length, crc32(payload)
_META_LEN = struct.Struct(">I")
HEADER_SIZE = _HEADER.size
# A record never exceeds the receiver's body limit plus headers; anything larger is damage.
MAX_PAYLOAD = 4 * 1024 * 1024


class FrameError(ValueError):
    """A record could not be encoded or decoded; the message says which part was wrong."""


@dataclass(frozen=True)
class LandingRecord:
    """One accepted delivery as it sits in the landing log."""

    received_at_ms: int
    key: str
    headers: dict[str, str]
    body: bytes
    webhook_id: str | None = None  # the subscription it arrived on (path or matching secret)
    channels: tuple[str, ...] | None = None  # channels that subscription serves; None: unknown


@dataclass
class SegmentScan:
    """Everything readable in one segment, plus what was skipped and why."""

    records: list[tuple[int, LandingRecord]] = field(default_factory=list)  # (offset, record)
    valid_length: int = 0  # end of the last good record before any damage
    last_record_end: int = 0  # end of the last good record anywhere
    damaged: list[tuple[int, str]] = field(default_factory=list)  # (offset, reason)
    torn_tail: bool = False  # damage runs to the end of the data (typical crash signature)


def encode_record(record: LandingRecord) -> bytes:
    # The same JSON json.dumps would give, built by hand: this runs once per delivery.
    headers = ",".join(f"{_json_string(k)}:{_json_string(v)}" for k, v in record.headers.items())
    subscription = ""
    if record.webhook_id is not None:
        channels = (
            "null"
            if record.channels is None
            else "[" + ",".join(_json_string(c) for c in record.channels) + "]"
        )
        subscription = f',"webhook_id":{_json_string(record.webhook_id)},"channels":{channels}'
    meta = (
        f'{{"received_at_ms":{int(record.received_at_ms)},"key":{_json_string(record.key)},'
        f'"headers":{{{headers}}}{subscription}}}'
    ).encode("ascii")
    payload = _META_LEN.pack(len(meta)) + meta + record.body
    if len(payload) > MAX_PAYLOAD:
        raise FrameError(f"record payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    return _HEADER.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def decode_payload(payload: bytes) -> LandingRecord:
    if len(payload) < _META_LEN.size:
        raise FrameError("payload shorter than its meta length prefix")
    (meta_len,) = _META_LEN.unpack_from(payload, 0)
    end = _META_LEN.size + meta_len
    if end > len(payload):
        raise FrameError("meta length runs past the payload")
    try:
        meta = json.loads(payload[_META_LEN.size : end])
        webhook_id = meta.get("webhook_id")
        channels = meta.get("channels")
        return LandingRecord(
            received_at_ms=int(meta["received_at_ms"]),
            key=str(meta["key"]),
            headers={str(k): str(v) for k, v in dict(meta.get("headers") or {}).items()},
            body=bytes(payload[end:]),
            webhook_id=None if webhook_id is None else str(webhook_id),
            channels=None if channels is None else tuple(str(c) for c in channels),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise FrameError(f"unreadable record meta: {exc}") from None


def _try_frame(data: bytes | memoryview, offset: int) -> tuple[LandingRecord | None, int, str]:
    """Decode the frame at ``offset``: (record, next offset, '') or (None, 0, reason)."""
    if len(data) - offset < HEADER_SIZE:
        return None, 0, "truncated header"
    magic, length, crc = _HEADER.unpack_from(data, offset)
    if magic != MAGIC:
        return None, 0, "bad magic"
    if length > MAX_PAYLOAD:
        return None, 0, f"implausible length {length}"
    start = offset + HEADER_SIZE
    if start + length > len(data):
        return None, 0, "truncated payload"
    payload = bytes(data[start : start + length])
    if zlib.crc32(payload) != crc:
        return None, 0, "crc mismatch"
    try:
        return decode_payload(payload), start + length, ""
    except FrameError as exc:
        return None, 0, str(exc)


def scan_bytes(data: bytes) -> SegmentScan:
    """Read every intact record; skip damaged regions by searching for the next magic."""
    scan = SegmentScan()
    offset = 0
    clean_so_far = True
    while offset < len(data):
        record, next_offset, reason = _try_frame(data, offset)
        if record is not None:
            scan.records.append((offset, record))
            offset = next_offset
            scan.last_record_end = offset
            if clean_so_far:
                scan.valid_length = offset
            continue
        clean_so_far = False
        scan.damaged.append((offset, reason))
        resync = data.find(MAGIC, offset + 1)
        if resync < 0:
            scan.torn_tail = True
            break
        offset = resync
    return scan


def iter_records(data: bytes) -> Iterator[LandingRecord]:
    for _, record in scan_bytes(data).records:
        yield record
