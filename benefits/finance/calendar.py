"""Periods (calendar months, `YYYY-MM`) and financial years (April–March, `2025/26`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FY_RE = re.compile(r"^(\d{4})/(\d{2})$")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class CalendarError(ValueError):
    """A period or financial year that is not well formed."""


def parse_period(text: str) -> tuple[int, int]:
    """`2025-06` → (2025, 6); anything else raises CalendarError."""
    match = PERIOD_RE.match(text or "") if isinstance(text, str) else None
    if not match:
        raise CalendarError(f"'{text}' is not a month in the form YYYY-MM, for example 2025-06.")
    year, month = int(match.group(1)), int(match.group(2))
    if year < 2000 or year > 2100:
        raise CalendarError(f"'{text}' is outside the years this tracker covers (2000 to 2100).")
    return year, month


def is_period(text: object) -> bool:
    try:
        parse_period(text)  # type: ignore[arg-type]
    except CalendarError:
        return False
    return True


def format_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def add_months(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return format_period(index // 12, index % 12 + 1)


def months_between(start: str, end: str) -> list[str]:
    """Every period from start to end inclusive (empty when end < start)."""
    out: list[str] = []
    current = start
    while current <= end:
        out.append(current)
        current = add_months(current, 1)
    return out


def month_name(period: str) -> str:
    """`2025-10` → `October 2025`."""
    year, month = parse_period(period)
    return f"{MONTH_NAMES[month - 1]} {year}"


def short_month_name(period: str) -> str:
    """`2025-10` → `Oct 2025`."""
    year, month = parse_period(period)
    return f"{MONTH_NAMES[month - 1][:3]} {year}"


@dataclass(frozen=True)
class FinancialYear:
    """April to March; `start_year` 2025 is `2025/26`."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = FY_RE.match(text or "") if isinstance(text, str) else None
        if not match:
            raise CalendarError(f"'{text}' is not a financial year in the form 2025/26.")
        start = int(match.group(1))
        if (start + 1) % 100 != int(match.group(2)):
            raise CalendarError(f"'{text}' is not a financial year: the second part must be the next year, as in 2025/26.")
        if start < 2000 or start > 2099:
            raise CalendarError(f"'{text}' is outside the years this tracker covers.")
        return cls(start)

    @classmethod
    def of(cls, period: str) -> FinancialYear:
        year, month = parse_period(period)
        return cls(year if month >= 4 else year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def sheet_name(self) -> str:
        """`2025-26`: the Excel sheet name (a slash is not allowed there)."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def first(self) -> str:
        return format_period(self.start_year, 4)

    @property
    def last(self) -> str:
        return format_period(self.start_year + 1, 3)

    @property
    def periods(self) -> list[str]:
        return months_between(self.first, self.last)

    def __contains__(self, period: object) -> bool:
        return isinstance(period, str) and is_period(period) and self.first <= period <= self.last

    def __str__(self) -> str:
        return self.label
