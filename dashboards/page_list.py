"""The dashboard's pages, once: the app builds its navigation from this list, and the browser
test, the screenshots and the page benchmark visit the same pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str  # under dashboards/
    title: str  # the page's heading and navigation label
    icon: str

    @property
    def url_path(self) -> str:
        """Streamlit's path for the page: the file's name; the first page is the root."""
        return "" if self is PAGES[0] else self.file.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/overview.py", "Overview", ":material/dashboard:"),
    PageSpec("app_pages/live_now.py", "Live now", ":material/sensors:"),
    PageSpec("app_pages/growth.py", "Growth", ":material/trending_up:"),
    PageSpec("app_pages/monetization.py", "Monetization", ":material/payments:"),
    PageSpec("app_pages/creator.py", "Creator", ":material/person:"),
    PageSpec("app_pages/stream.py", "Stream", ":material/live_tv:"),
    PageSpec("app_pages/categories.py", "Categories", ":material/category:"),
    PageSpec("app_pages/schedule.py", "Schedule", ":material/calendar_month:"),
    PageSpec("app_pages/data_health.py", "Data health", ":material/health_and_safety:"),
)
