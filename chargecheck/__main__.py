"""``python -m chargecheck`` runs the command-line interface."""

from .cli import main

main()
