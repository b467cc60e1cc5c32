"""hullcheck: audit every layer of a container stack."""

__version__ = "0.1.0"
