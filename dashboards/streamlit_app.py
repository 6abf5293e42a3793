"""Velora Analytics dashboards: ``streamlit run dashboards/streamlit_app.py``.

Reads only the published read-only snapshot (``$VELORA_DATA_DIR/published/CURRENT``).
"""

from __future__ import annotations

import streamlit as st

from dashboards import ui

st.set_page_config(page_title="Velora Analytics", page_icon=":material/monitoring:", layout="wide")

navigation = st.navigation(
    [
        st.Page("app_pages/live_now.py", title="Live now", icon=":material/sensors:", default=True),
        st.Page(
            "app_pages/channel_growth.py", title="Channel growth", icon=":material/trending_up:"
        ),
        st.Page("app_pages/monetization.py", title="Monetization", icon=":material/payments:"),
        st.Page("app_pages/categories.py", title="Categories", icon=":material/category:"),
        st.Page(
            "app_pages/data_health.py", title="Data health", icon=":material/health_and_safety:"
        ),
    ]
)
ui.sidebar_snapshot()
navigation.run()
