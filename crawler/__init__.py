"""The crawler: fetches sites and records what it sees. It never judges."""
