"""The actuals' workflow (FINANCE.md): draft → submitted → validated, or sent back to draft with a reason.

Each step is a row of `EntryStatusChange` (who moved it, from what to what, why) and an audit
event, in one transaction, all or nothing for several entries. Segregation of duties has its one
home here: nobody validates or sends back a figure they entered, changed or submitted.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils.timezone import now

from benefits.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from benefits.models import Entry, EntryStatusChange, User
from benefits.models.choices import EntryStatus, Series
from benefits.policy import Action, can

from . import audit
from .common import closed_months, require_open, require_register_write


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
        closed = closed_months()
        for e in entries:
            require_register_write(user, e.benefit.initiative)
            _require_actual(e)
            if e.status != EntryStatus.DRAFT:
                raise InvalidTransition(
                    f"The {e.period} actual of benefit line {e.benefit_id} is {e.status}; only draft actuals can be submitted."
                )
            require_open(e.period, closed=closed, what="submit figures for")
        _step(entries, user=user, to=EntryStatus.SUBMITTED, reason="", action="benefits.entry.submitted")
    return entries


def own_entry_ids(user: User, entries: Sequence[Entry]) -> set[int]:
    """The actuals among these that `user` entered, changed or submitted (one query).

    Segregation of duties (API.md, "Who may do what"): nobody validates or sends back such a
    figure, whatever their role. Read from the ledger's own rows: who entered or changed each
    figure (`Entry.entered_by`) and who submitted it (its status changes).
    """
    own = {e.pk for e in entries if user.pk in (e.entered_by or ())}
    own.update(
        EntryStatusChange.objects.filter(entry_id__in=[e.pk for e in entries], to_status=EntryStatus.SUBMITTED, by=user)
        .values_list("entry_id", flat=True)
        .distinct()
    )
    return own


def _require_finance(user: User, entries: list[Entry], verb: str) -> None:
    if not can(user, Action.VALIDATE):
        raise NotAllowed(f"Only finance can {verb} actuals.")
    own = own_entry_ids(user, entries)
    for e in entries:
        if e.pk in own:
            raise NotAllowed(
                f"You entered or submitted the {e.period} actual of benefit line {e.benefit_id}, so you cannot {verb} it: "
                "another member of finance must do so (segregation of duties)."
            )


def validate_entries(*, user: User, ids: Sequence[int]) -> list[Entry]:
    """Validate submitted actuals, all or nothing; never one's own (403 for every role)."""
    with transaction.atomic():
        entries = _lock_many(ids)
        closed = closed_months()
        for e in entries:
            _require_actual(e)
        _require_finance(user, entries, "validate")
        for e in entries:
            if e.status != EntryStatus.SUBMITTED:
                raise InvalidTransition(
                    f"The {e.period} actual of benefit line {e.benefit_id} is {e.status}; only submitted actuals can be validated."
                )
            require_open(e.period, closed=closed, what="validate figures for")
        _step(entries, user=user, to=EntryStatus.VALIDATED, reason="", action="benefits.entry.validated")
    return entries


def reject_entries(*, user: User, ids: Sequence[int], reason: str) -> list[Entry]:
    """Send submitted actuals back to draft with a reason the programme office will see, all or nothing."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(
            "Give a reason for sending the actual back.", field="reason", details={"reason": ["This field is required."]}
        )
    with transaction.atomic():
        entries = _lock_many(ids)
        closed = closed_months()
        for e in entries:
            _require_actual(e)
        _require_finance(user, entries, "send back")
        for e in entries:
            if e.status != EntryStatus.SUBMITTED:
                raise InvalidTransition(f"The {e.period} actual is {e.status}; only submitted actuals can be sent back.")
            require_open(e.period, closed=closed, what="send back figures for")
        _step(entries, user=user, to=EntryStatus.DRAFT, reason=reason, action="benefits.entry.rejected")
    return entries


def reject_entry(*, user: User, entry: Entry, reason: str) -> Entry:
    return reject_entries(user=user, ids=[entry.pk], reason=reason)[0]


def submit_entry(*, user: User, entry: Entry) -> Entry:
    return submit_entries(user=user, ids=[entry.pk])[0]


def validate_entry(*, user: User, entry: Entry) -> Entry:
    return validate_entries(user=user, ids=[entry.pk])[0]


def _require_actual(e: Entry) -> None:
    if e.series != Series.ACTUAL:
        raise InvalidTransition(f"Entry {e.pk} is a {e.series}; only actuals go through submission and validation.")
