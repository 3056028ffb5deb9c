"""The GlobalCart REST API (FastAPI)."""
