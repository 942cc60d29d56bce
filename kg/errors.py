"""One base for the errors a user can act on: the ``kg`` command prints the message on one line and exits with its code."""

from __future__ import annotations


class KgError(Exception):
    """A problem the user can fix (a wrong path, a missing store, a query that does not parse...).

    Library code raises a subclass; the command line turns any of them into
    ``error: message`` and ``exit_code``, once, in kg/cli.py.
    """

    #: 2: the command was used wrongly or its input is unusable; 1: it ran and failed.
    exit_code = 2
