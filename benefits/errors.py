"""Domain errors raised by services; the API and the pages map them to HTTP in one place each."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the product refused the request; `message` is a sentence for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class ValidationFailed(DomainError):
    """Input that breaks a rule; `details` maps fields (or row indexes) to messages."""

    status = 400
    code = "invalid"


class NotAllowed(DomainError):
    status = 403
    code = "permission_denied"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the state of the data (duplicate, wrong state)."""

    status = 409
    code = "conflict"


class PeriodClosed(Conflict):
    code = "period_closed"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleVersion(DomainError):
    """Someone else changed the object since the client read it (If-Match / version)."""

    status = 412
    code = "stale_version"

    def __init__(self, message: str, *, current: object = None) -> None:
        super().__init__(message)
        self.current = current


class Unprocessable(DomainError):
    """Well-formed, but cannot be valued or processed (e.g. no unit cost in force)."""

    status = 422
    code = "unprocessable"


class NoVersionInForce(Unprocessable):
    """An entry's month has no version of its line's unit cost in force (FINANCE.md's value rule)."""

    def __init__(self, message: str, *, unit_cost: str, period: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.unit_cost = unit_cost
        self.period = period
