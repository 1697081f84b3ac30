"""Turning diagnosed objects into text an admin can read, paste or load: pure, no I/O."""

#: Named here, not in ``formats``, so building the command line needs no export code.
REPORT_FORMATS = ("table", "json", "csv", "markdown")
CHECK_FORMATS = ("text", "json")
