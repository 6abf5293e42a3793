"""Pure transforms: stored response bodies (parsed JSON) -> typed candidate rows per core table."""

from pipeline.ingest.transforms.base import Body
from pipeline.ingest.transforms.categories import category_snapshot_rows
from pipeline.ingest.transforms.chat import chat_stats_rows
from pipeline.ingest.transforms.clips import clip_rows
from pipeline.ingest.transforms.leaderboards import leaderboard_rows
from pipeline.ingest.transforms.profiles import channel_profile_rows
from pipeline.ingest.transforms.streams import stream_snapshot_rows
from pipeline.ingest.transforms.teams import team_member_rows, team_rows
from pipeline.ingest.transforms.values import BadValue, Reject, TransformResult
from pipeline.ingest.transforms.vods import vod_rows

__all__ = [
    "BadValue",
    "Body",
    "Reject",
    "TransformResult",
    "category_snapshot_rows",
    "channel_profile_rows",
    "chat_stats_rows",
    "clip_rows",
    "leaderboard_rows",
    "stream_snapshot_rows",
    "team_member_rows",
    "team_rows",
    "vod_rows",
]
