"""Fault sites only the tests serve (the demo sites are in govwatch/demo/sites)."""
