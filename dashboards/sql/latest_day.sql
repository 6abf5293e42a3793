-- The last calendar day in $tz the marts hold viewing or monetization data of (NULL: none).
SELECT max(d) AS latest_day FROM (
    SELECT CAST(timezone($tz, max(interval_start)) AS DATE) AS d FROM marts.stream_intervals
    UNION ALL SELECT max(day) FROM marts.monetization_daily
);
