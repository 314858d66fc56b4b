"""The Streamlit app's parts: pages, tabs, the sidebar and the components with their JS/CSS.
Only the app imports them."""
