"""Indicator profiles (data) and the engine that judges stored observations at a time point."""
