"""`python -m kg` is the `kg` command, for environments where its script is not on PATH."""

from kg.cli import app

app(prog_name="kg")
