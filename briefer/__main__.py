"""`python -m briefer`: the same command line as `briefer`."""

from briefer.cli import run

run()
