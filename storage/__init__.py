"""Observations and judgments, stored: SQLAlchemy 2 models, sessions and repositories."""

# Every table is on Base.metadata once any storage module is imported: the tables of new media and the
# records live in modules of their own (storage/models.py holds the website ones).
from storage import content as _content  # noqa: F401
from storage import media as _media  # noqa: F401
from storage import notices as _notices  # noqa: F401
from storage import records as _records  # noqa: F401
from storage import web as _web  # noqa: F401
