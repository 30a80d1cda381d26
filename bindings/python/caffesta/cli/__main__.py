"""python -m caffesta.cli: the same as the `caffesta` command."""

from . import main

main()
