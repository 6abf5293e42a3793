-- Every category the marts hold, most hours watched first.
SELECT category_slug, sum(hours_watched) AS hours_watched
FROM marts.category_daily GROUP BY category_slug ORDER BY hours_watched DESC, category_slug;
