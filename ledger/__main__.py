"""`python -m ledger`.

May import: ledger.cli."""

from ledger.cli.main import main

main()
