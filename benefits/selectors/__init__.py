"""Reads: querysets and frozen dataclasses of Decimal shared by the API, pages and board pack."""
