"""Turning calculator results into tables, JSON, Markdown and CSV. Nothing here prints."""
