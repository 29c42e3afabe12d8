"""The package version: one literal that nothing imports back (the package face, the CLI and the
checkpoint writer read it from here)."""

__version__ = "0.1.0"
