"""Checks several services share: trust scope, closed periods, whether a figure may change,
optimistic versions, input shapes. Each rule is written here once and called from every door."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

import pgtrigger
from django.core.exceptions import ValidationError as DjangoValidationError

from benefits.errors import DomainError, InvalidTransition, NotAllowed, PeriodClosed, StaleVersion, ValidationFailed
from benefits.finance.calendar import CalendarError, month_name, parse_period
from benefits.finance.rounding import PENNY
from benefits.models import Initiative, User
from benefits.models.choices import EntryStatus, Series
from benefits.policy import Action, can, can_on_trusts
from benefits.selectors.periods import ClosedMonths, closed_months

MAX_MONEY = Decimal("999999999999.99")


def user_trust_ids(user: User) -> set[int]:
    cached = getattr(user, "_trust_ids", None)
    if cached is None:
        cached = set(user.organisations.values_list("id", flat=True))
        user._trust_ids = cached
    return cached


def initiative_trust_ids(initiative: Initiative) -> set[int]:
    cached = getattr(initiative, "_trust_ids", None)
    if cached is None:
        cached = set(initiative.organisations.values_list("id", flat=True))
        initiative._trust_ids = cached
    return cached


def register_write_refusal(user: User, initiative: Initiative, trust_ids: set[int] | None = None) -> NotAllowed | None:
    """Why `user` may not change this initiative, its lines or its entries, or None if they may.

    API.md: programme office write only initiatives involving one of their trusts; the pages ask
    this to decide what they offer, the services to refuse.
    """
    if not can(user, Action.EDIT_REGISTER):
        return NotAllowed("Your role does not allow you to change initiatives, benefit lines or entries.")
    trusts = trust_ids if trust_ids is not None else initiative_trust_ids(initiative)
    if not can_on_trusts(user, Action.EDIT_REGISTER, trusts, user_trust_ids(user)):
        return NotAllowed(f"You can only change initiatives of your own trust; {initiative.ref} does not involve any of your trusts.")
    return None


def require_register_write(user: User, initiative: Initiative) -> None:
    refusal = register_write_refusal(user, initiative)
    if refusal is not None:
        raise refusal


def require_version(obj, expected_version: int | None, label: str) -> None:
    """Refuse a write based on an old read (If-Match / the form's version)."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise StaleVersion(
            f"{label} was changed by someone else since you loaded it (you had version {expected_version}, "
            f"it is now version {obj.version}). Reload to see the newer values, then make your change again.",
            current=obj,
        )


def require_open(period: str, *, closed: ClosedMonths | None = None, what: str = "change figures for") -> None:
    """Refuse work on a closed month (FINANCE.md, "Closed periods"); `closed` saves re-reading them."""
    closed = closed if closed is not None else closed_months()
    if period in closed:
        raise PeriodClosed(
            f"{period} is closed (every month up to {closed.latest} is closed), so you cannot {what} it. "
            "Ask finance to reopen the month if a correction is needed."
        )


def entry_change_refusal(*, period: str, series: str, status: str | None, closed: ClosedMonths) -> DomainError | None:
    """Why a figure may not be entered, changed or removed now, or None if it may.

    FINANCE.md: nothing changes in a closed month, and an actual changes only while it is a draft
    (a submitted one is sent back by finance first; a validated one is final).
    """
    if period in closed:
        return PeriodClosed(
            f"{month_name(period)} is closed (every month up to {month_name(closed.latest)} is closed), so its figures "
            "cannot change. Ask finance to reopen the month if a correction is needed."
        )
    if series == Series.ACTUAL and status not in (None, EntryStatus.DRAFT):
        then = "Ask finance to send it back first." if status == EntryStatus.SUBMITTED else "Validated figures are final."
        return InvalidTransition(f"The {month_name(period)} actual is {status}, so it cannot change. {then}")
    return None


def require_changeable(entry, *, closed: ClosedMonths | None = None) -> None:
    """Raise `entry_change_refusal`'s error for a stored entry (409)."""
    refusal = entry_change_refusal(
        period=entry.period, series=entry.series, status=entry.status, closed=closed if closed is not None else closed_months()
    )
    if refusal is not None:
        raise refusal


def clean_period(value: object, field: str = "period") -> str:
    try:
        parse_period(value)  # type: ignore[arg-type]
    except CalendarError as exc:
        raise ValidationFailed(str(exc), field=field, details={field: [str(exc)]}) from None
    return value  # type: ignore[return-value]


def clean_money(value: object, field: str, *, minimum: Decimal = Decimal("0"), places: int = 2) -> Decimal:
    """A Decimal with at most `places` decimal places; floats are refused (they are not money)."""
    if type(value) is Decimal and places == 2 and value.same_quantum(PENNY) and -MAX_MONEY <= minimum <= value <= MAX_MONEY:
        return value  # already money (an import's 720,000 cells): the checks below would all pass
    if isinstance(value, (float, bool)):
        raise ValidationFailed(
            f"{field} must be given as a decimal string such as '125000.00'.",
            field=field,
            details={field: ["Give a decimal string such as '125000.00'."]},
        )
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            f"'{value}' is not a number.", field=field, details={field: [f"'{value}' is not a number."]}
        ) from None
    if not number.is_finite():
        raise ValidationFailed(f"'{value}' is not a number.", field=field, details={field: [f"'{value}' is not a number."]})
    if number < minimum:
        raise ValidationFailed(
            f"{field} must be at least {minimum}.", field=field, details={field: [f"Must be at least {minimum}."]}
        )
    exponent = number.as_tuple().exponent
    if exponent < -places:  # type: ignore[operator]
        raise ValidationFailed(
            f"{field} may have at most {places} decimal places.",
            field=field,
            details={field: [f"At most {places} decimal places."]},
        )
    if abs(number) > MAX_MONEY:
        raise ValidationFailed(f"{field} is too large.", field=field, details={field: ["Too large: at most 999,999,999,999.99."]})
    # The same object when it has its places already: an import passes 720,000 of them.
    return number if exponent == -places else number.quantize(Decimal(1).scaleb(-places))


# Above this many rows in one write (a whole tracker imported), pghistory's insert snapshot is
# skipped for initiatives, lines and entries: a snapshot row for each of a tracker's 720,000 new
# entries would cost more than the rest of the write can spare (ADR 0003, 0054). The audit records
# who created what and when, with the import's id; later changes are snapshotted as usual.
BULK_HISTORY_THRESHOLD = 5000


def insert_history_skipped(label: str, count: int):
    """`with insert_history_skipped("benefits.BenefitLine", n):` around a bulk insert of n new rows."""
    if count <= BULK_HISTORY_THRESHOLD:
        return contextlib.nullcontext()
    return pgtrigger.ignore(f"{label}:insert_insert")


def full_clean(obj, exclude: Iterable[str] = ()) -> None:
    """Model field validation as a ValidationFailed naming each field (constraints are the database's)."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(details.items()))
        raise ValidationFailed(f"{first[0]}: {first[1][0]}", field=first[0], details=details) from None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a whole-tracker import (ADR 0058).

    An import holds a million small objects (cells, Decimals, tuples) and makes no cycles that
    must be freed before it ends; the collector's full passes over them made the refresh of a
    tracker already in slower and larger, and gained nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
