"""`python -m govwatch.cli`: the same as the `govwatch` command."""

from govwatch.cli.app import main

main()
