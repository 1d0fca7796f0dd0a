"""Observations and judgments, stored: SQLAlchemy 2 models, sessions and repositories."""
