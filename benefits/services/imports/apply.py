"""Committing an import: re-plan inside one transaction and write the plan through the services.

The register and entry services hold the rules and write the audit (ADR 0052); an import adds
its ImportBatch row and the import's id on every event. A file already committed changes
nothing (ADR 0053); a dry run stops after the plan.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from benefits.errors import DomainError
from benefits.excel.reader import Problem
from benefits.models import ImportBatch, Initiative, Organisation, User
from benefits.policy import Action, require

from .. import audit
from ..benefit_lines import create_benefits, update_benefit
from ..bulk import BulkRow, bulk_upsert_entries
from ..common import collector_paused
from ..register import create_initiatives, update_initiative
from .parse import ImportRefused
from .plan import Plan, plan_import


@dataclass
class ImportResult:
    plan: Plan
    batch: ImportBatch | None
    already_imported: ImportBatch | None = None

    def as_json(self, *, dry_run: bool) -> dict:
        body = self.plan.as_json(dry_run=dry_run)
        if self.batch is not None:
            body["id"] = self.batch.pk
        if self.already_imported is not None:
            body["already_imported"] = self.already_imported.pk
            body.setdefault("id", self.already_imported.pk)
        return body


def _already_imported(sha256: str) -> ImportBatch | None:
    return ImportBatch.objects.filter(sha256=sha256).order_by("-created_at", "-id").first()


def _nothing(plan_rows: int) -> Plan:
    return Plan(rows=plan_rows, unchanged=plan_rows)


def import_workbook(*, user: User, data: bytes, filename: str, dry_run: bool = True) -> ImportResult:
    """Dry run (default) or commit. Re-importing a file already committed changes nothing (ADR 0053)."""
    sha256 = hashlib.sha256(data).hexdigest()
    require(user, Action.EDIT_REGISTER, what="import trackers")
    earlier = _already_imported(sha256)
    if earlier is not None:
        return ImportResult(plan=_nothing(int(earlier.counts.get("rows", 0))), batch=None, already_imported=earlier)
    if dry_run:
        with collector_paused():
            plan = plan_import(user=user, data=data)
        plan.entries = []  # a dry run reports counts and changes; its 720,000 planned cells can go
        return ImportResult(plan=plan, batch=None)
    with collector_paused(), transaction.atomic():
        # Plan inside the transaction, so the commit applies exactly what is true now.
        plan = plan_import(user=user, data=data)
        batch = ImportBatch.objects.create(filename=(filename or "upload.xlsx")[:255], sha256=sha256, created_by=user)
        try:
            _apply(user, plan, batch)
        except DomainError as exc:
            if isinstance(exc, ImportRefused):
                raise
            raise ImportRefused([Problem(f"The file was not imported: {exc.message}")]) from None
        batch.counts = {**plan.counts(), "rows": plan.rows}
        batch.save(update_fields=["counts"])
        audit.record(
            user=user,
            action="benefits.import.committed",
            object_type="import",
            object_id=batch.pk,
            changes={"filename": [None, batch.filename], "sha256": [None, sha256], "counts": [None, batch.counts]},
            import_batch=batch,
        )
    return ImportResult(plan=plan, batch=batch)


def _apply(user: User, plan: Plan, batch: ImportBatch) -> None:
    """Write the plan through the services, in the caller's transaction."""
    new_initiatives = list(plan.new_initiatives.values())
    orgs = {o.pk: o for o in Organisation.objects.all()}
    created = create_initiatives(
        user=user,
        items=[(n.fields, [orgs[t] for t in sorted(n.organisations)]) for n in new_initiatives],
        import_batch=batch,
    )
    initiative_by_key: dict[tuple, Initiative] = {n.key: i for n, i in zip(new_initiatives, created, strict=True)}
    for initiative, changes, organisations in plan.initiative_updates:
        updated = update_initiative(
            user=user,
            initiative=initiative,
            changes=changes,
            organisations=[orgs[t] for t in organisations] if organisations is not None else None,
            import_batch=batch,
        )
        initiative_by_key[("ref", updated.ref)] = updated
    for line, changes in plan.line_updates:
        update_benefit(user=user, benefit=line, changes=changes, import_batch=batch)
    new_lines = list(plan.new_lines.values())
    missing = {n.initiative_key for n in new_lines if n.initiative_key not in initiative_by_key}
    if missing:
        for i in Initiative.objects.filter(ref__in=[k[1] for k in missing]):
            initiative_by_key[("ref", i.ref)] = i
    made = create_benefits(
        user=user, items=[(initiative_by_key[n.initiative_key], n.fields) for n in new_lines], import_batch=batch
    )
    line_ids: dict[tuple, int] = {n.key: line.pk for n, line in zip(new_lines, made, strict=True)}
    if plan.entries:
        # Each planned cell becomes its service row in place: a whole tracker is 720,000 of them,
        # and two lists of that size at once were the import's peak memory (ADR 0058).
        rows: list = plan.entries
        plan.entries = []
        for n, (lkey, period, series, quantity) in enumerate(rows):
            rows[n] = BulkRow(line_ids[lkey] if lkey[0] == "new" else lkey[1], period, series, quantity)
        bulk_upsert_entries(user=user, rows=rows, import_batch=batch, max_rows=None)
