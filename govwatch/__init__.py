"""govwatch: inspects government websites against the national indicators and regional rules."""

__version__ = "0.1.0"
