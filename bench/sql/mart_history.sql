-- Bench history for the marts: core rows for $creators creators in [$lo, $hi), in bulk.
-- A creator streams on two days of three, starting at a 5-minute tick between 00:00 and 20:00
-- and lasting 2-4 h (so some streams run past midnight); the live directory lists it at every
-- 5-minute poll of the stream. Each stream has an offline event at its end and, while live, two
-- follows, a subscription, a Volts tip and a channel-points redemption (gifts, sub ends and raids
-- for some creators). Profiles and leaderboards are polled daily at 00:00. Every row is a pure
-- function of (creator, day), so a history loaded hour by hour equals one loaded at once.
-- Rows are written in time order, as the pollers and the webhook loader append them, so the
-- zone maps on time prune a day's reads as they do in a real warehouse.
CREATE OR REPLACE TEMP TABLE bench_streams AS
SELECT c, d,
       TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_days(CAST(d AS INTEGER))
           + to_minutes(CAST(5 * ((c * 37 + d * 11) % 240) AS BIGINT)) AS started_at,
       to_minutes(CAST(120 + 60 * (c % 3) AS BIGINT)) AS duration
FROM range(CAST($creators AS BIGINT)) a(c),
     range(CAST(epoch(CAST($lo AS TIMESTAMPTZ)) // 86400 AS BIGINT) - 1,
           CAST(epoch(CAST($hi AS TIMESTAMPTZ)) // 86400 AS BIGINT) + 1) b(d)
WHERE (c + d) % 3 <> 0;

INSERT INTO core.stream_snapshots (source, snapshot_at, stream_id, user_id, username, title,
    viewer_count, started_at, category_slug, position, fetched_at, cadence_minutes)
SELECT 'live', t, 's' || c || '_' || d, 'c' || c, 'name' || c, 'stream ' || d,
       5 + (c % 400) + CAST(epoch(t - started_at) // 300 AS BIGINT) % 17, started_at,
       'category-' || (c % 20), CAST(1 + c % 100 AS INTEGER), t, 5
FROM (
    SELECT *, unnest(generate_series(started_at, started_at + duration - INTERVAL 1 MINUTE,
                                     INTERVAL 5 MINUTE)) AS t
    FROM bench_streams
)
WHERE t >= CAST($lo AS TIMESTAMPTZ) AND t < CAST($hi AS TIMESTAMPTZ)
ORDER BY t;

CREATE OR REPLACE TEMP TABLE bench_events AS
SELECT * FROM (
    SELECT c, d, kind, started_at + offset_ AS happened_at
    FROM bench_streams,
         (VALUES ('offline', NULL), ('follow', INTERVAL 30 MINUTE), ('follow2', INTERVAL 60 MINUTE),
                 ('subscribe', INTERVAL 45 MINUTE), ('tip', INTERVAL 50 MINUTE),
                 ('points', INTERVAL 20 MINUTE), ('gift', INTERVAL 70 MINUTE),
                 ('sub_end', INTERVAL 80 MINUTE), ('raid', INTERVAL 10 MINUTE)) k(kind, off),
         LATERAL (SELECT coalesce(off, duration) AS offset_)
    WHERE kind NOT IN ('gift', 'sub_end', 'raid')
       OR (kind = 'gift' AND c % 5 = 0) OR (kind = 'sub_end' AND c % 7 = 0)
       OR (kind = 'raid' AND c % 50 = 0)
)
WHERE happened_at >= CAST($lo AS TIMESTAMPTZ) AND happened_at < CAST($hi AS TIMESTAMPTZ)
ORDER BY happened_at;

INSERT INTO core.webhook_events (event_key, event_type, canonical_type, channel_id,
    channel_source, event_at, received_at, is_test, envelope_variant, payload, segment)
SELECT kind || ':' || c || ':' || d,
       CASE kind WHEN 'offline' THEN 'stream.offline' WHEN 'follow' THEN 'channel.follow'
                 WHEN 'follow2' THEN 'channel.follow' WHEN 'subscribe' THEN 'channel.subscribe'
                 WHEN 'tip' THEN 'channel.volts_tip' WHEN 'points' THEN 'channel.points_redemption'
                 WHEN 'gift' THEN 'channel.subscription.gift'
                 WHEN 'sub_end' THEN 'channel.subscription.end' ELSE 'channel.raid' END AS t,
       t, 'c' || c, 'payload', happened_at, happened_at, false, 'id_type', '{}', 'bench'
FROM bench_events;

INSERT INTO core.stream_status_events (event_key, channel_id, channel_source, event_at, status,
    stream_id, ended_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'offline', 's' || c || '_' || d, happened_at
FROM bench_events WHERE kind = 'offline';

INSERT INTO core.follows (event_key, channel_id, channel_source, event_at, follower_id,
    follower_username, followed_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'u' || (c * 3 + d) % 50000,
       'fan' || (c * 3 + d) % 50000, happened_at
FROM bench_events WHERE kind IN ('follow', 'follow2');

INSERT INTO core.subscriptions (event_key, channel_id, channel_source, event_at, subscriber_id,
    subscriber_username, tier, months, is_renewal, is_gift, subscribed_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'u' || (c + d) % 50000,
       'fan' || (c + d) % 50000, '1000', CAST(1 + d % 12 AS INTEGER), d % 2 = 0, false, happened_at
FROM bench_events WHERE kind = 'subscribe';

INSERT INTO core.subscription_ends (event_key, channel_id, channel_source, event_at,
    subscriber_id, tier, is_gift, reason, ended_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'u' || (c + d + 1) % 50000, '1000',
       false, 'expired', happened_at
FROM bench_events WHERE kind = 'sub_end';

INSERT INTO core.gifts (event_key, channel_id, channel_source, event_at, gifter_id,
    gifter_username, is_anonymous, gift_count, tier, recipient_ids, gifted_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'u' || (c * 7 + d) % 50000,
       'fan' || (c * 7 + d) % 50000, false, CAST(1 + d % 5 AS INTEGER), '1000', '[]', happened_at
FROM bench_events WHERE kind = 'gift';

INSERT INTO core.volts_tips (event_key, channel_id, channel_source, event_at, sender_id,
    sender_username, is_anonymous, volts, tipped_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'u' || (c * 5 + d) % 50000,
       'fan' || (c * 5 + d) % 50000, false, 100 + (c + d) % 900, happened_at
FROM bench_events WHERE kind = 'tip';

INSERT INTO core.points_redemptions (event_key, channel_id, channel_source, event_at,
    redemption_id, user_id, username, reward_id, reward_title, reward_cost, status, redeemed_at)
SELECT kind || ':' || c || ':' || d, 'c' || c, 'payload', happened_at, 'r' || c || '_' || d,
       'u' || (c * 11 + d) % 50000, 'fan' || (c * 11 + d) % 50000, 'hydrate', 'Hydrate',
       500, 'fulfilled', happened_at
FROM bench_events WHERE kind = 'points';

INSERT INTO core.raids (event_key, channel_id, channel_source, event_at, from_channel_id,
    viewers, raided_at)
SELECT kind || ':' || c || ':' || d, 'c' || ((c + 1) % $creators), 'payload', happened_at, 'c' || c,
       5 + c % 400, happened_at
FROM bench_events WHERE kind = 'raid';

CREATE OR REPLACE TEMP TABLE bench_polls AS
SELECT d AS happened_at
FROM generate_series(date_trunc('day', CAST($lo AS TIMESTAMPTZ)), CAST($hi AS TIMESTAMPTZ),
                     INTERVAL 1 DAY) g(d)
WHERE d >= CAST($lo AS TIMESTAMPTZ) AND d < CAST($hi AS TIMESTAMPTZ);

INSERT INTO core.channel_profiles (snapshot_at, user_id, username, follower_count, is_live,
    fetched_at, cadence_minutes)
SELECT p.happened_at, 'c' || c, 'name' || c,
       1000 + c * 10 + 2 * CAST(epoch(p.happened_at) // 86400 AS BIGINT) % 100000, false, p.happened_at, 1440
FROM bench_polls p, range(CAST($creators AS BIGINT)) a(c)
ORDER BY p.happened_at;

INSERT INTO core.leaderboard_entries (snapshot_at, board, creator_id, user_id, rank, username,
    amount, period, fetched_at, cadence_minutes)
SELECT p.happened_at, b.board, 'c' || c, 'u' || (c * 13 + r) % 50000, CAST(r AS INTEGER),
       'fan' || (c * 13 + r) % 50000, 10000 - 100 * r, 'all', p.happened_at, 1440
FROM bench_polls p, range(least(50, CAST($creators AS BIGINT))) a(c), range(1, 11) k(r),
     (VALUES ('volts'), ('gifts'), ('points')) b(board)
ORDER BY p.happened_at;
