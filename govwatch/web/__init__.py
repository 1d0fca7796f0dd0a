"""The web service (`govwatch web`): the office's and the units' pages on what is stored (docs/web.md)."""
