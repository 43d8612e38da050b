"""Many entries in one transaction: the API's `entries/bulk/` and Excel imports (ADR 0054, 0058).

Any bad row refuses them all, with every row's problems listed by index. The usual few rows go
through `bulk_create`; a whole tracker (720,000 cells) is spooled as COPY text and copied in, its
figures audited per line and import instead of per entry.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.utils.timezone import now

from benefits.errors import NotAllowed, Unprocessable, ValidationFailed
from benefits.models import BenefitLine, Entry, ImportBatch, User
from benefits.models.choices import EntryStatus, Series
from benefits.selectors.audit import FIGURES_IMPORTED, VALUE_SUFFIX, cell_key

from . import audit, copy
from .common import (
    clean_money,
    clean_period,
    closed_months,
    entry_change_refusal,
    insert_history_skipped,
    require_register_write,
)
from .entries import check_series
from .valuation import Valuer

MAX_BULK = 5000


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

    # A cheap first pass for the lines and months to load; rows are checked one by one in the
    # second, without a cleaned copy of them (a whole tracker is 720,000 rows: memory, ADR 0058).
    benefit_ids = {r.benefit for r in rows if type(r.benefit) is int}
    periods = {r.period for r in rows if type(r.period) is str}
    series_sent = {r.series for r in rows if type(r.series) is str}

    with transaction.atomic(), contextlib.ExitStack() as stack:
        if import_batch is not None:
            # A whole tracker's new entries get no pghistory insert snapshot: each is in its line's
            # import event (ADR 0003, 0054). Entered before the first query: pgtrigger.ignore sets
            # its variable for the transaction through the ORM's statements, so the COPY sees it.
            stack.enter_context(insert_history_skipped("benefits.Entry", len(rows)))
        lines = {
            b.pk: b
            for b in BenefitLine.objects.select_related("initiative")
            .prefetch_related("initiative__organisations")
            .filter(pk__in=benefit_ids)
        }
        closed = closed_months()
        existing = {  # tuples, not model instances: a re-imported tracker may change 240,000 forecasts
            (benefit_id, period, series): _Stored(pk, quantity, value_gbp, status, version)
            for pk, benefit_id, period, series, quantity, value_gbp, status, version in Entry.objects.select_for_update()
            .filter(benefit_id__in=lines.keys(), period__in=periods, series__in=series_sent)
            .values_list("pk", "benefit_id", "period", "series", "quantity", "value_gbp", "status", "version")
        }
        del benefit_ids, periods, series_sent
        valuer = Valuer(line.unit_cost for line in lines.values())
        refused: dict[int, str | None] = {}
        to_create: list[NewEntry] = []
        spooled = stack.enter_context(_SpooledEntries(user)) if import_batch is not None else None
        to_update: list[_Stored] = []
        events: list[audit.Event] = []
        changed_cells: list[_Change] = []
        checked: set[tuple[object, object]] = set()  # (period, series) pairs already checked: a tracker has 72
        seen: dict[tuple[int, str, str], int] = {}
        for i, row in enumerate(rows):
            try:
                if (row.period, row.series) not in checked:
                    clean_period(row.period)
                    check_series(row.series)
                    checked.add((row.period, row.series))
                benefit_id, period, series = row.benefit, row.period, row.series
                qty = clean_money(row.quantity, "quantity")
            except ValidationFailed as exc:
                fail(i, exc.message)
                continue
            if type(benefit_id) is not int:
                fail(i, f"benefit '{benefit_id}' is not a benefit line id.")
                continue
            key = (benefit_id, period, series)
            if key in seen:
                fail(i, f"duplicates row {seen[key]} (the same benefit, period and series).")
                continue
            seen[key] = i
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
            entry = existing.get((benefit_id, period, series))
            refusal = entry_change_refusal(period=period, series=series, status=entry.status if entry else None, closed=closed)
            # A closed month refuses every row; a settled actual only a row that would change it.
            if refusal is not None and (entry is None or entry.quantity != qty or period in closed):
                fail(i, refusal.message)
                continue
            try:
                value = valuer.value(line, period, qty)
            except Unprocessable as exc:
                fail(i, exc.message)
                continue
            if entry is None:
                status = EntryStatus.DRAFT if series == Series.ACTUAL else None
                if spooled is not None:
                    spooled.add(benefit_id, period, series, qty, value, status)
                else:
                    to_create.append(NewEntry(benefit_id, period, series, qty, value, status))
                continue
            if refusal is not None:  # a settled actual the row leaves as it is
                continue
            if entry.quantity == qty and entry.value_gbp == value:
                continue
            if spooled is not None:  # an import's figures are audited per line (ADR 0058)
                changed_cells.append(_Change(benefit_id, period, series, entry.quantity, qty, entry.value_gbp, value))
            else:
                events.append(
                    audit.Event(
                        "benefits.entry.updated",
                        "entry",
                        str(entry.pk),
                        {"quantity": [str(entry.quantity), str(qty)], "value_gbp": [str(entry.value_gbp), str(value)]},
                    )
                )
            to_update.append(_Stored(entry.pk, qty, value, entry.status, entry.version + 1))
        del seen, existing  # a whole tracker holds 720,000 of each: free them before the insert
        if errors:
            raise ValidationFailed(
                f"{len(errors)} of {len(rows)} rows are invalid; nothing was saved.",
                field="entries",
                details={"entries": [{"index": i, "errors": msgs} for i, msgs in sorted(errors.items())]},
            )
        if to_update:
            _update_quantities(to_update, user=user)
        if spooled is not None:
            created_count = spooled.copy_in()
            audit.copy_many(_line_events(spooled.cells(), changed_cells), user=user, import_batch=import_batch)
        else:
            created = _insert_entries(to_create, user)
            created_count = len(created)
            events.extend(
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
        audit.record_many(events, user=user, import_batch=import_batch)
    return {"created": created_count, "updated": len(to_update)}


class _Change(NamedTuple):
    benefit_id: int
    period: str
    series: str
    old_quantity: Decimal | None
    quantity: Decimal
    old_value: Decimal | None
    value_gbp: Decimal


def _line_events(created: Iterator[tuple[int, str, str, str, str]], changed: list[_Change]) -> Iterator[audit.Event]:
    """One event per benefit line for an import's figures (ADR 0058), built a line at a time.

    `changes` is keyed by cell ('2025-04 plan', and '2025-04 plan value_gbp' for the value):
    720,000 per-entry events cost more than the entries themselves, and a line's figures
    are what a tracker row holds. `created` comes a line at a time (the planner groups a
    line's cells); a line whose cells came apart would get one event per run, each true.
    """
    pending: dict[int, list[_Change]] = defaultdict(list)
    for c in changed:
        pending[c.benefit_id].append(c)
    for benefit_id, cells in groupby(created, key=itemgetter(0)):
        changes: dict[str, list[str | None]] = {}
        for _, period, series, quantity, value in cells:
            key = cell_key(period, series)
            changes[key] = [None, quantity]
            changes[key + VALUE_SUFFIX] = [None, value]
        yield audit.Event(FIGURES_IMPORTED, "benefit", str(benefit_id), _with_changed(changes, pending.pop(benefit_id, [])))
    for benefit_id, cells in pending.items():
        yield audit.Event(FIGURES_IMPORTED, "benefit", str(benefit_id), _with_changed({}, cells))


def _with_changed(changes: dict[str, list[str | None]], cells: list[_Change]) -> dict[str, list[str | None]]:
    for c in cells:
        key = cell_key(c.period, c.series)
        changes[key] = [_text(c.old_quantity), str(c.quantity)]
        changes[key + VALUE_SUFFIX] = [_text(c.old_value), str(c.value_gbp)]
    return changes


class _SpooledEntries:
    """An import's new entries as COPY text in a spooled temporary file, not as objects.

    A whole tracker is 720,000 entries; held as tuples they were most of the import's peak memory
    (ADR 0058). Rows are written as they pass their checks; if any row
    fails, nothing is copied and the transaction rolls back.
    """

    COLUMNS = (
        "benefit_id", "period", "series", "quantity", "value_gbp", "status", "entered_by",
        "version", "updated_by_id", "created_at", "updated_at",
    )

    def __init__(self, user: User) -> None:
        stamp = now()
        self.tail = copy.row_tail((1, user.pk, stamp, stamp))
        self.entered_by = entered_by_text(user)
        self.file = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by __exit__)
        self.count = 0
        self.pending: list[str] = []

    def __enter__(self) -> _SpooledEntries:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, benefit_id: int, period: str, series: str, quantity: Decimal, value: Decimal, status: str | None) -> None:
        self.pending.append(
            copy.row_text((benefit_id, period, series, quantity, value, status, self.entered_by.get(series)), self.tail)
        )
        if len(self.pending) >= 10_000:  # one write to the file per 10,000 rows, not per row
            self._flush()

    def _flush(self) -> None:
        self.file.write("".join(self.pending))
        self.count += len(self.pending)
        self.pending.clear()

    def copy_in(self) -> int:
        self._flush()
        self.file.seek(0)
        copy.copy_text(table=Entry._meta.db_table, columns=self.COLUMNS, blocks=iter(lambda: self.file.read(copy.CHUNK), ""))
        return self.count

    def cells(self) -> Iterator[tuple[int, str, str, str, str]]:
        """(benefit, period, series, quantity, value) of each new entry, in the order added.

        Split without unescaping: these five are numbers and codes already checked, never escaped.
        """
        self.file.seek(0)
        for text in self.file:
            benefit_id, period, series, quantity, value, _ = text.split("\t", 5)
            yield int(benefit_id), period, series, quantity, value


def entered_by_text(user: User) -> dict[str, str]:
    """`Entry.entered_by` of a new row as COPY reads it, by series: an actual names who entered it."""
    return {Series.ACTUAL: f"{{{user.pk}}}"}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


UPDATE_CHUNK = 1000


class _Stored(NamedTuple):
    """An entry as a bulk write reads and rewrites it."""

    pk: int
    quantity: Decimal
    value_gbp: Decimal
    status: str | None
    version: int


def _update_quantities(entries: list[_Stored], *, user: User) -> None:
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
                "updated_by_id = %s, updated_at = %s, entered_by = CASE WHEN e.series <> 'actual' THEN e.entered_by "
                "WHEN %s = ANY(e.entered_by) THEN e.entered_by ELSE array_append(coalesce(e.entered_by, '{}'), %s) END "
                f"FROM (VALUES {rows}) AS v(id, quantity, value_gbp, version) WHERE e.id = v.id",
                [user.pk, stamp, user.pk, user.pk, *params],
            )


_ENTRY_COLUMNS = (
    "id", "benefit_id", "period", "series", "quantity", "value_gbp", "status", "entered_by",
    "version", "updated_by_id", "created_at", "updated_at",
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
                    updated_by=user,
                    entered_by=[user.pk] if e.series == Series.ACTUAL else None,
                )
                for e in entries
            ],
            batch_size=2000,
        )
        return [e.pk for e in created]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('benefits_entry', 'id')) FROM generate_series(1, %s)", [len(entries)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    stamp = now()
    entered_by = entered_by_text(user)
    copy.copy_rows(
        table=Entry._meta.db_table,
        columns=_ENTRY_COLUMNS,
        rows=(
            (pk, e.benefit_id, e.period, e.series, e.quantity, e.value_gbp, e.status, entered_by.get(e.series))
            for e, pk in zip(entries, ids, strict=True)
        ),
        same=(1, user.pk, stamp, stamp),
    )
    return ids
