from hullcheck.cli import entry

entry()
