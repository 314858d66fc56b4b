"""One module per tab of the One-snippet page's results."""
