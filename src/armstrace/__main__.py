"""`python -m armstrace …` runs the command-line interface."""

from armstrace.cli import main

main()
