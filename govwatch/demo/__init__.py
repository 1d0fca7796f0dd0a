"""The demo: realistic government sites and new-media platforms served on 127.0.0.1, and a few accounts
with their posts. `govwatch demo` inspects them; the tests use them too."""
