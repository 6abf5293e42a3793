"""The global badge catalog. The world does not model badges; the catalog is static."""

from __future__ import annotations

BADGE_CATEGORIES = ("event", "achievement", "system")
_CDN = "https://cdn.velora.tv/badges"


def _badge(slug: str, name: str, category: str) -> dict[str, str]:
    return {
        "slug": slug,
        "name": name,
        "category": category,
        "staticAssetUrl": f"{_CDN}/{slug}.png",
        "animatedAssetUrl": f"{_CDN}/{slug}.gif",
    }


BADGES: tuple[dict[str, str], ...] = (
    _badge("staff", "Velora Staff", "system"),
    _badge("partner", "Partner", "system"),
    _badge("moderator", "Moderator", "system"),
    _badge("vip", "VIP", "system"),
    _badge("founder", "Founder", "achievement"),
    _badge("first-volts", "First Volts", "achievement"),
    _badge("gift-leader", "Gift Leader", "achievement"),
    _badge("hype-train", "Hype Train Conductor", "achievement"),
    _badge("launch-week", "Launch Week 2026", "event"),
    _badge("winter-jam", "Winter Jam", "event"),
    _badge("charity-drive", "Charity Drive", "event"),
)
