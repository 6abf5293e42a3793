"""Velora Analytics dashboards: ``streamlit run dashboards/streamlit_app.py``.

Reads only the published read-only snapshot (``$VELORA_DATA_DIR/published/CURRENT``).
"""

from __future__ import annotations

import streamlit as st

from dashboards import page_list, ui

st.set_page_config(page_title="Velora Analytics", page_icon=":material/monitoring:", layout="wide")

PAGES = [
    st.Page(spec.file, title=spec.title, icon=spec.icon, default=index == 0)
    for index, spec in enumerate(page_list.PAGES)
]
navigation = st.navigation(PAGES)
ui.sidebar_snapshot()
navigation.run()
