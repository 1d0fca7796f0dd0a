"""Turning evaluations into what people read: terminal tables, JSON, and (later) the notice."""
