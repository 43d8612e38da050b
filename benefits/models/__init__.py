from .audit import AuditEvent, IdempotencyKey, OutboxMessage
from .ledger import Entry, EntryStatusChange, Period
from .line_months import LineMonth
from .reference import ConfidenceWeight, Target, UnitCost
from .register import BenefitLine, Initiative, Organisation, User, Workstream
from .snapshots import BackgroundJob, BoardPack, ExportJob, ImportBatch, RollupSnapshot

__all__ = [
    "AuditEvent",
    "BackgroundJob",
    "BenefitLine",
    "BoardPack",
    "ConfidenceWeight",
    "Entry",
    "EntryStatusChange",
    "ExportJob",
    "IdempotencyKey",
    "ImportBatch",
    "Initiative",
    "LineMonth",
    "Organisation",
    "OutboxMessage",
    "Period",
    "RollupSnapshot",
    "Target",
    "UnitCost",
    "User",
    "Workstream",
]
