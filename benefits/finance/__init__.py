"""FINANCE.md's rules that need no database: pure Python, no Django imports."""
