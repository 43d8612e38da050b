"""Entries and the actuals workflow (FINANCE.md: draft → submitted → validated, send back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.timezone import now

from benefits.errors import Conflict, InvalidTransition, NotAllowed, NotFound, Unprocessable, ValidationFailed
from benefits.models import AuditEvent, BenefitLine, Entry, EntryStatusChange, ImportBatch, User
from benefits.models.choices import EntryStatus, Series
from benefits.policy import Action, can

from . import audit
from .common import (
    clean_money,
    clean_period,
    latest_closed_period,
    require_open,
    require_register_write,
    require_version,
)
from .valuation import Valuer

MAX_BULK = 5000


def _check_series(series: object) -> str:
    if series not in Series.values:
        raise ValidationFailed(
            f"'{series}' is not a series; use plan, forecast or actual.",
            field="series",
            details={"series": [f"'{series}' is not one of plan, forecast, actual."]},
        )
    return series  # type: ignore[return-value]


def _require_editable_actual(entry: Entry) -> None:
    if entry.series == Series.ACTUAL and entry.status != EntryStatus.DRAFT:
        raise InvalidTransition(
            f"The {entry.period} actual is {entry.status}; only a draft actual can be changed. "
            + ("Ask finance to send it back first." if entry.status == EntryStatus.SUBMITTED else "Validated figures are final.")
        )


def create_entry(
    *, user: User, benefit: BenefitLine, period: str, series: str, quantity: object, import_batch: ImportBatch | None = None
) -> Entry:
    """A new entry (one per benefit, period and series: a second one is a 409)."""
    period = clean_period(period)
    series = _check_series(series)
    qty = clean_money(quantity, "quantity")
    with transaction.atomic():
        benefit = BenefitLine.objects.select_related("initiative").select_for_update(of=("self",)).get(pk=benefit.pk)
        require_register_write(user, benefit.initiative)
        require_open(period, what="add figures to")
        value = Valuer([benefit.unit_cost]).value(benefit, period, qty)
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    benefit=benefit,
                    period=period,
                    series=series,
                    quantity=qty,
                    value_gbp=value,
                    status=EntryStatus.DRAFT if series == Series.ACTUAL else None,
                    created_by=user,
                    updated_by=user,
                )
        except IntegrityError:
            raise Conflict(
                f"Benefit line {benefit.pk} already has a {series} for {period}; change that entry instead.",
                field="period",
            ) from None
        audit.record(
            user=user,
            action="benefits.entry.created",
            object_type="entry",
            object_id=entry.pk,
            changes={
                "benefit": [None, benefit.pk],
                "period": [None, period],
                "series": [None, series],
                "quantity": [None, str(qty)],
                "value_gbp": [None, str(value)],
            },
            import_batch=import_batch,
        )
    return entry


def update_entry(
    *, user: User, entry: Entry, quantity: object, expected_version: int | None = None, import_batch: ImportBatch | None = None
) -> Entry:
    """Change an entry's quantity; draft actuals only; refuses stale versions (412)."""
    qty = clean_money(quantity, "quantity")
    with transaction.atomic():
        entry = _lock(entry.pk)
        require_register_write(user, entry.benefit.initiative)
        require_version(entry, expected_version, f"The {entry.period} {entry.series}")
        require_open(entry.period)
        _require_editable_actual(entry)
        value = Valuer([entry.benefit.unit_cost]).value(entry.benefit, entry.period, qty)
        if qty == entry.quantity and value == entry.value_gbp:
            return entry
        changes = {"quantity": [str(entry.quantity), str(qty)], "value_gbp": [str(entry.value_gbp), str(value)]}
        entry.quantity, entry.value_gbp, entry.updated_by = qty, value, user
        entry.version += 1
        entry.save(update_fields=["quantity", "value_gbp", "updated_by", "version", "updated_at"])
        audit.record(
            user=user,
            action="benefits.entry.updated",
            object_type="entry",
            object_id=entry.pk,
            changes=changes,
            import_batch=import_batch,
        )
    return entry


def delete_entry(*, user: User, entry: Entry, expected_version: int | None = None) -> None:
    with transaction.atomic():
        entry = _lock(entry.pk)
        require_register_write(user, entry.benefit.initiative)
        require_version(entry, expected_version, f"The {entry.period} {entry.series}")
        require_open(entry.period, what="remove figures from")
        _require_editable_actual(entry)
        audit.record(
            user=user,
            action="benefits.entry.deleted",
            object_type="entry",
            object_id=entry.pk,
            changes={
                "benefit": [entry.benefit_id, None],
                "period": [entry.period, None],
                "series": [entry.series, None],
                "quantity": [str(entry.quantity), None],
                "value_gbp": [str(entry.value_gbp), None],
            },
        )
        entry.status_changes.all().delete()
        entry.delete()


def _lock(pk: int) -> Entry:
    try:
        return Entry.objects.select_related("benefit__initiative").select_for_update(of=("self",)).get(pk=pk)
    except Entry.DoesNotExist:
        raise NotFound(f"There is no entry {pk}.") from None


@dataclass(frozen=True, slots=True)  # slots: an import passes 720,000 of them
class BulkRow:
    benefit: int
    period: str
    series: str
    quantity: object


def bulk_upsert_entries(
    *, user: User, rows: Sequence[BulkRow], import_batch: ImportBatch | None = None, max_rows: int | None = MAX_BULK
) -> dict[str, int]:
    """Create or update up to 5,000 entries in one transaction; any bad row refuses them all.

    `max_rows=None` lifts the API's limit for Excel imports, which are checked cell by cell
    before they get here and may carry a whole tracker (720,000 cells).

    Errors are collected per row index (API.md, entries/bulk) so the caller can list them all.
    One lookup of the lines, one of the existing entries, one bulk insert, one bulk update.
    """
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed(
            f"At most {MAX_BULK} entries may be sent at once; this request has {len(rows)}.",
            field="entries",
            details={"entries": [f"At most {MAX_BULK} rows."]},
        )
    errors: dict[int, list[str]] = {}

    def fail(index: int, message: str) -> None:
        errors.setdefault(index, []).append(message)

    cleaned: list[tuple[int, int, str, str, Decimal]] = []
    checked: set[tuple[object, object]] = set()  # (period, series) pairs already checked: a tracker has 72
    for i, row in enumerate(rows):
        try:
            if (row.period, row.series) not in checked:
                clean_period(row.period)
                _check_series(row.series)
                checked.add((row.period, row.series))
            period, series = row.period, row.series
            qty = clean_money(row.quantity, "quantity")
        except ValidationFailed as exc:
            fail(i, exc.message)
            continue
        if not isinstance(row.benefit, int) or isinstance(row.benefit, bool):
            fail(i, f"benefit '{row.benefit}' is not a benefit line id.")
            continue
        cleaned.append((i, row.benefit, period, series, qty))

    seen: dict[tuple[int, str, str], int] = {}
    for i, benefit_id, period, series, _ in cleaned:
        key = (benefit_id, period, series)
        if key in seen:
            fail(i, f"duplicates row {seen[key]} (the same benefit, period and series).")
        else:
            seen[key] = i
    del seen, checked

    with transaction.atomic():
        lines = {
            b.pk: b
            for b in BenefitLine.objects.select_related("initiative")
            .prefetch_related("initiative__organisations")
            .filter(pk__in={c[1] for c in cleaned})
        }
        latest_closed = latest_closed_period()
        existing = {
            (e.benefit_id, e.period, e.series): e
            for e in Entry.objects.select_for_update().filter(benefit_id__in=lines.keys(), period__in={c[2] for c in cleaned})
        }
        valuer = Valuer(line.unit_cost for line in lines.values())
        refused: dict[int, str | None] = {}
        to_create: list[NewEntry] = []
        to_update: list[Entry] = []
        events: list[audit.Event] = []
        for i, benefit_id, period, series, qty in cleaned:
            line = lines.get(benefit_id)
            if line is None:
                fail(i, f"benefit line {benefit_id} does not exist.")
                continue
            if benefit_id not in refused:
                line.initiative._trust_ids = {o.id for o in line.initiative.organisations.all()}
                try:
                    require_register_write(user, line.initiative)
                    refused[benefit_id] = None
                except NotAllowed as exc:
                    refused[benefit_id] = exc.message
            if refused[benefit_id]:
                fail(i, f"you may not change benefit line {benefit_id}: {refused[benefit_id]}")
                continue
            if latest_closed is not None and period <= latest_closed:
                fail(i, f"{period} is closed.")
                continue
            try:
                value = valuer.value(line, period, qty)
            except Unprocessable as exc:
                fail(i, exc.message)
                continue
            entry = existing.get((benefit_id, period, series))
            if entry is None:
                to_create.append(
                    NewEntry(benefit_id, period, series, qty, value, EntryStatus.DRAFT if series == Series.ACTUAL else None)
                )
                continue
            if series == Series.ACTUAL and entry.status != EntryStatus.DRAFT:
                if entry.quantity != qty:
                    fail(i, f"the {period} actual is {entry.status} and cannot be changed.")
                continue
            if entry.quantity == qty and entry.value_gbp == value:
                continue
            events.append(
                audit.Event(
                    "benefits.entry.updated",
                    "entry",
                    str(entry.pk),
                    {"quantity": [str(entry.quantity), str(qty)], "value_gbp": [str(entry.value_gbp), str(value)]},
                )
            )
            entry.quantity, entry.value_gbp, entry.updated_by = qty, value, user
            entry.version += 1
            to_update.append(entry)
        del cleaned, existing  # a whole tracker holds 720,000 of each: free them before the insert
        if errors:
            raise ValidationFailed(
                f"{len(errors)} of {len(rows)} rows are invalid; nothing was saved.",
                field="entries",
                details={"entries": [{"index": i, "errors": msgs} for i, msgs in sorted(errors.items())]},
            )
        created = _insert_entries(to_create, user)
        created_events = (
            audit.Event(
                "benefits.entry.created",
                "entry",
                str(pk),
                {
                    "benefit": [None, new.benefit_id],
                    "period": [None, new.period],
                    "series": [None, new.series],
                    "quantity": [None, str(new.quantity)],
                    "value_gbp": [None, str(new.value_gbp)],
                },
            )
            for pk, new in zip(created, to_create, strict=True)
        )
        if len(created) > audit.COPY_THRESHOLD:
            audit.copy_many(created_events, user=user, import_batch=import_batch)  # streamed: never all in memory
        else:
            events.extend(created_events)
        if to_update:
            _update_quantities(to_update, user=user)
        audit.record_many(events, user=user, import_batch=import_batch)
    return {"created": len(created), "updated": len(to_update)}


UPDATE_CHUNK = 1000


def _update_quantities(entries: list[Entry], *, user: User) -> None:
    """One `UPDATE … FROM (VALUES …)` per chunk: Django's bulk_update builds CASE expressions whose
    cost grows with the square of the batch (5,000 updated rows took tens of seconds)."""
    stamp = now()
    with connection.cursor() as cursor:
        for start in range(0, len(entries), UPDATE_CHUNK):
            chunk = entries[start : start + UPDATE_CHUNK]
            rows = ", ".join(["(%s::bigint, %s::numeric, %s::numeric, %s::integer)"] * len(chunk))
            params: list[object] = []
            for e in chunk:
                params += [e.pk, e.quantity, e.value_gbp, e.version]
            cursor.execute(
                "UPDATE benefits_entry AS e SET quantity = v.quantity, value_gbp = v.value_gbp, version = v.version, "
                f"updated_by_id = %s, updated_at = %s FROM (VALUES {rows}) AS v(id, quantity, value_gbp, version) "
                "WHERE e.id = v.id",
                [user.pk, stamp, *params],
            )
_ENTRY_COLUMNS = (
    "id, benefit_id, period, series, quantity, value_gbp, status, version, created_by_id, updated_by_id, created_at, updated_at"
)


class NewEntry(NamedTuple):
    benefit_id: int
    period: str
    series: str
    quantity: Decimal
    value_gbp: Decimal
    status: str | None


def _insert_entries(entries: list[NewEntry], user: User) -> list[int]:
    """Insert new entries, returning their ids: bulk_create for the usual few, COPY for a whole tracker (ADR 0054)."""
    if len(entries) <= audit.COPY_THRESHOLD:
        created = Entry.objects.bulk_create(
            [
                Entry(
                    benefit_id=e.benefit_id,
                    period=e.period,
                    series=e.series,
                    quantity=e.quantity,
                    value_gbp=e.value_gbp,
                    status=e.status,
                    created_by=user,
                    updated_by=user,
                )
                for e in entries
            ],
            batch_size=2000,
        )
        return [e.pk for e in created]
    stamp = now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('benefits_entry', 'id')) FROM generate_series(1, %s)", [len(entries)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        # COPY's text format written directly: psycopg's write_row costs ~30 µs a row in pure Python.
        # Every field here is a number, a timestamp or a code of [a-z0-9-], so nothing needs escaping.
        tail = f"\t1\t{user.pk}\t{user.pk}\t{stamp.isoformat()}\t{stamp.isoformat()}\n"
        with cursor.cursor.copy(f"COPY benefits_entry ({_ENTRY_COLUMNS}) FROM STDIN") as copy:
            chunk: list[str] = []
            for e, pk in zip(entries, ids, strict=True):
                status = e.status or "\\N"
                chunk.append(f"{pk}\t{e.benefit_id}\t{e.period}\t{e.series}\t{e.quantity}\t{e.value_gbp}\t{status}{tail}")
                if len(chunk) >= 10_000:
                    copy.write("".join(chunk))
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk))
    return ids


# --- the workflow -------------------------------------------------------------------------


def _enterers(entry_ids: Sequence[int]) -> dict[int, set[int]]:
    """Users who entered (created or changed) or submitted each actual: they may not validate it."""
    out: dict[int, set[int]] = {i: set() for i in entry_ids}
    rows = AuditEvent.objects.filter(
        object_type="entry",
        object_id__in=[str(i) for i in entry_ids],
        action__in=["benefits.entry.created", "benefits.entry.updated", "benefits.entry.submitted"],
        user__isnull=False,
    ).values_list("object_id", "user_id")
    for object_id, user_id in rows:
        out[int(object_id)].add(user_id)
    return out


def _lock_many(ids: Sequence[int]) -> list[Entry]:
    unique = sorted(set(ids))
    entries = list(
        Entry.objects.select_related("benefit__initiative").select_for_update(of=("self",)).filter(pk__in=unique).order_by("pk")
    )
    missing = set(unique) - {e.pk for e in entries}
    if missing:
        raise NotFound(f"There is no entry {', '.join(str(m) for m in sorted(missing))}.")
    return entries


def _step(entries: list[Entry], *, user: User, to: str, reason: str, action: str) -> None:
    old = {e.pk: e.status for e in entries}
    Entry.objects.filter(pk__in=[e.pk for e in entries]).update(status=to, version=F("version") + 1, updated_at=now())
    EntryStatusChange.objects.bulk_create(
        [EntryStatusChange(entry=e, from_status=old[e.pk], to_status=to, by=user, reason=reason) for e in entries]
    )
    audit.record_many([audit.Event(action, "entry", str(e.pk), {"status": [old[e.pk], to]}, reason) for e in entries], user=user)
    for e in entries:
        e.status = to
        e.version += 1


def submit_entries(*, user: User, ids: Sequence[int]) -> list[Entry]:
    """Submit draft actuals for validation, all or nothing."""
    with transaction.atomic():
        entries = _lock_many(ids)
        latest_closed = latest_closed_period()
        for e in entries:
            require_register_write(user, e.benefit.initiative)
            _require_actual(e)
            if e.status != EntryStatus.DRAFT:
                raise InvalidTransition(
                    f"The {e.period} actual of benefit line {e.benefit_id} is {e.status}; only draft actuals can be submitted."
                )
            require_open(e.period, latest_closed=latest_closed, what="submit figures for")
        _step(entries, user=user, to=EntryStatus.SUBMITTED, reason="", action="benefits.entry.submitted")
    return entries


def _require_finance(user: User, entries: list[Entry], verb: str) -> None:
    if not can(user, Action.VALIDATE):
        raise NotAllowed(f"Only finance can {verb} actuals.")
    own = _enterers([e.pk for e in entries])
    for e in entries:
        if user.pk in own[e.pk]:
            raise NotAllowed(
                f"You entered or submitted the {e.period} actual of benefit line {e.benefit_id}, so you cannot {verb} it: "
                "another member of finance must do so (segregation of duties)."
            )


def validate_entries(*, user: User, ids: Sequence[int]) -> list[Entry]:
    """Validate submitted actuals, all or nothing; never one's own (403 for every role)."""
    with transaction.atomic():
        entries = _lock_many(ids)
        latest_closed = latest_closed_period()
        for e in entries:
            _require_actual(e)
        _require_finance(user, entries, "validate")
        for e in entries:
            if e.status != EntryStatus.SUBMITTED:
                raise InvalidTransition(
                    f"The {e.period} actual of benefit line {e.benefit_id} is {e.status}; only submitted actuals can be validated."
                )
            require_open(e.period, latest_closed=latest_closed, what="validate figures for")
        _step(entries, user=user, to=EntryStatus.VALIDATED, reason="", action="benefits.entry.validated")
    return entries


def reject_entry(*, user: User, entry: Entry, reason: str) -> Entry:
    """Send a submitted actual back to draft with a reason the programme office will see."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(
            "Give a reason for sending the actual back.", field="reason", details={"reason": ["This field is required."]}
        )
    with transaction.atomic():
        entries = _lock_many([entry.pk])
        e = entries[0]
        _require_actual(e)
        _require_finance(user, entries, "send back")
        if e.status != EntryStatus.SUBMITTED:
            raise InvalidTransition(f"The {e.period} actual is {e.status}; only submitted actuals can be sent back.")
        require_open(e.period, what="send back figures for")
        _step(entries, user=user, to=EntryStatus.DRAFT, reason=reason, action="benefits.entry.rejected")
    return e


def submit_entry(*, user: User, entry: Entry) -> Entry:
    return submit_entries(user=user, ids=[entry.pk])[0]


def validate_entry(*, user: User, entry: Entry) -> Entry:
    return validate_entries(user=user, ids=[entry.pk])[0]


def _require_actual(e: Entry) -> None:
    if e.series != Series.ACTUAL:
        raise InvalidTransition(f"Entry {e.pk} is a {e.series}; only actuals go through submission and validation.")


def own_entry_ids(user: User, ids: Sequence[int]) -> set[int]:
    """Which of these actuals the user entered or submitted (the page hides their Validate button)."""
    return {i for i, users in _enterers(list(ids)).items() if user.pk in users}
