"""objector on a web page: ``objector serve`` (FastAPI app, JSON API, PDF worker pool)."""
