-- Webhook deliveries the loader set aside, per reason, most first.
SELECT reason, count(*) AS rows, max(quarantined_at) AS latest
FROM core.webhook_quarantine
GROUP BY reason
ORDER BY rows DESC, reason
