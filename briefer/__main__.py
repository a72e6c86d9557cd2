"""`python -m briefer`: the same command line as `briefer`."""

from briefer.cli import app

app(prog_name="briefer")
