"""Volts / gift / channel-points leaderboards -> core.leaderboard_entries rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pipeline.ingest.transforms.base import Body, body_context
from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    as_int,
    as_str,
    as_timestamp,
    list_items,
    pick,
    reject,
)

# the amount field of each board, with the variants Velora (and the twin) use
AMOUNT_KEYS: dict[str, tuple[str, ...]] = {
    "volts": ("amount", "volts"),
    "gifts": ("giftCount", "gifts", "count"),
    "points": ("points", "balance"),
}
LIST_KEYS = ("leaderboard", "entries")


def creator_from_path(path: str) -> str | None:
    """The creator/channel id in a leaderboard path (the segment before ``leaderboard`` /
    ``gift-leaderboard``, or the last segment for ``/api/volts/leaderboard/:creatorId``)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[-1] in ("leaderboard", "gift-leaderboard") and len(parts) >= 2:
        return parts[-2]
    return parts[-1]


def leaderboard_rows(board: str, bodies: Sequence[Body], snapshot_at: datetime) -> TransformResult:
    """Entries of every board fetched in the poll; missing ``rank`` means list order."""
    result = TransformResult()
    for body in bodies:
        context = body_context(body)
        data = body.data
        envelope = data if isinstance(data, Mapping) else {}
        try:
            items = list_items(data, LIST_KEYS)
            updated_at = as_timestamp(pick(envelope, "updatedAt"), "updatedAt")
            creator_id = as_str(pick(envelope, "creatorId", "channelId"), "creatorId")
            period = as_str(pick(envelope, "period"), "period")
        except BadValue as exc:
            result.rejects.append(reject(f"envelope: {exc}", data, context, whole_body=True))
            continue
        creator_id = creator_id or creator_from_path(body.path)
        for position, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                result.rejects.append(reject("item is not a JSON object", item, context))
                continue
            try:
                user_id = as_str(pick(item, "userId", "id"), "userId")
                if not user_id:
                    raise BadValue("userId: missing")
                amount = as_int(pick(item, *AMOUNT_KEYS[board]), AMOUNT_KEYS[board][0])
                if amount is None:
                    raise BadValue(f"{AMOUNT_KEYS[board][0]}: missing")
                rank = as_int(pick(item, "rank", "position"), "rank")
                result.rows.append(
                    {
                        "snapshot_at": snapshot_at,
                        "board": board,
                        "creator_id": creator_id,
                        "user_id": user_id,
                        "rank": position if rank is None else rank,
                        "username": as_str(pick(item, "username"), "username"),
                        "display_name": as_str(pick(item, "displayName"), "displayName"),
                        "amount": amount,
                        "period": period,
                        "updated_at": updated_at,
                        "fetched_at": body.fetched_at,
                    }
                )
            except BadValue as exc:
                result.rejects.append(reject(str(exc), item, context))
    result.drop_repeats(("snapshot_at", "board", "creator_id", "user_id"))
    return result
