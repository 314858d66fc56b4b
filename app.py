"""ScopeViz in the browser: ``streamlit run app.py``.

The page script is :mod:`viz.ui.main`, inside the package, so that an installed ``scopeviz
app`` runs the same page without this clone.
"""

from viz.ui.main import main

main()
