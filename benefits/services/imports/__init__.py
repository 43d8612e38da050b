"""Importing a CIP-style tracker (issue 8; API.md "Imports and exports"): all or nothing.

`parse` reads every cell into typed rows and problems → `plan` compares them with the tracker
(created / updated / unchanged, old → new per cell) → a dry run returns the plan; a commit
(`apply`) re-plans inside one transaction and applies it through the register and entry
services (the rules live there once), with an ImportBatch row and audit events that carry the
importing user and the import's id. Any invalid cell refuses the whole file with every problem
listed by sheet, row and column (ADR 0052).
"""

from .apply import ImportResult, import_workbook
from .parse import ImportRefused, parse_decimal, parse_errors
from .plan import Plan, plan_import

__all__ = [
    "ImportRefused",
    "ImportResult",
    "Plan",
    "import_workbook",
    "parse_decimal",
    "parse_errors",
    "plan_import",
]
