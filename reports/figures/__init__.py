"""The report's figures, one per module: `data(...)` (JSON-ready, cached) and `draw(data, fig)`."""
