"""What failed, as exception classes: the CLI turns each into one line on stderr and exit 2, and
anything else is a bug (a traceback with --debug, else one line asking for a report).

- ``UsageError``: the command line asks for something that cannot be done.
- ``BadInput``: a file the user named for the run itself (config, baseline, key) cannot be used.
  (What is wrong with a *scanned* input is an error line in the report, not an exception.)
"""

from __future__ import annotations


class HullcheckError(Exception):
    """One line: what failed and where."""


class UsageError(HullcheckError):
    pass


class BadInput(HullcheckError):
    pass
