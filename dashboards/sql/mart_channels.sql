-- Every channel the marts know, with its latest username and its hours watched overall.
SELECT channel_id, arg_max(username, day) AS username, sum(hours_watched) AS hours_watched
FROM marts.channel_daily
GROUP BY channel_id
ORDER BY hours_watched DESC, channel_id;
