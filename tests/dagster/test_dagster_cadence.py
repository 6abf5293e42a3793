"""The poll time a Dagster run derives from its tags, and the schedules' cron strings."""

from datetime import UTC, datetime

import pytest

from assets.cadence import CRON, POLL_AT_TAG, CadenceError, poll_at_for_run


def test_each_group_fires_at_its_base_tick():
    # live ticks every minute (any whole-minute cadence), skipping to its configured cadence
    assert CRON == {"live": "* * * * *", "leaderboards": "*/15 * * * *", "hourly": "0 * * * *"}


def test_poll_at_prefers_our_tag_then_dagsters_scheduled_time():
    tags = {
        ".dagster/scheduled_execution_time": "2026-03-01T12:10:00+00:00",
        POLL_AT_TAG: "2026-03-01T12:05:00+00:00",
    }
    assert poll_at_for_run(tags, 5) == datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    del tags[POLL_AT_TAG]
    assert poll_at_for_run(tags, 5) == datetime(2026, 3, 1, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "tag",
    [".dagster/scheduled_execution_time", "dagster/scheduled_execution_time"],
    ids=["dagster-1.13-hidden-tag", "older-public-tag"],
)
def test_rerunning_a_tick_polls_the_same_time(tag):
    tags = {tag: "2026-03-01T12:17:42.123456+00:00"}
    first = poll_at_for_run(tags, 15, now=datetime(2026, 3, 1, 12, 18, tzinfo=UTC))
    again = poll_at_for_run(tags, 15, now=datetime(2026, 3, 1, 15, 0, tzinfo=UTC))
    assert first == again == datetime(2026, 3, 1, 12, 15, tzinfo=UTC)


def test_untagged_run_polls_now_truncated():
    now = datetime(2026, 3, 1, 12, 18, 30, tzinfo=UTC)
    assert poll_at_for_run({}, 5, now=now) == datetime(2026, 3, 1, 12, 15, tzinfo=UTC)


def test_bad_tag_is_a_named_error():
    with pytest.raises(CadenceError, match=POLL_AT_TAG):
        poll_at_for_run({POLL_AT_TAG: "yesterday"}, 5)
