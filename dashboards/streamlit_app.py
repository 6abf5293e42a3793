"""Velora Analytics dashboards: ``streamlit run dashboards/streamlit_app.py``.

Reads only the published read-only snapshot (``$VELORA_DATA_DIR/published/CURRENT``).
"""

from __future__ import annotations

import streamlit as st

from dashboards import ui

st.set_page_config(page_title="Velora Analytics", page_icon=":material/monitoring:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/live_now.py", title="Live now", icon=":material/sensors:"),
    st.Page("app_pages/growth.py", title="Growth", icon=":material/trending_up:"),
    st.Page("app_pages/monetization.py", title="Monetization", icon=":material/payments:"),
    st.Page("app_pages/creator.py", title="Creator", icon=":material/person:"),
    st.Page("app_pages/stream.py", title="Stream", icon=":material/live_tv:"),
    st.Page("app_pages/categories.py", title="Categories", icon=":material/category:"),
    st.Page("app_pages/schedule.py", title="Schedule", icon=":material/calendar_month:"),
    st.Page("app_pages/data_health.py", title="Data health", icon=":material/health_and_safety:"),
]
navigation = st.navigation(PAGES)
ui.sidebar_snapshot()
navigation.run()
