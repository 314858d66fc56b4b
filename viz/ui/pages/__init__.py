"""The app's pages (``st.navigation`` serves the one the view switch chose)."""
