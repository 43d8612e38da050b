"""PostgreSQL COPY in its text format: how the bulk writes send rows (entries, audit events; ADR 0054).

COPY … FROM STDIN reads one line a row, values separated by tabs; NULL is `\\N`, and a
backslash, tab, newline or carriage return inside a value must be escaped or the row is split
or the value changed. Every bulk writer encodes its values here, so none can forget a case.
Values every row shares (a timestamp, the user) are encoded once, as the row's tail: a whole
tracker sends 720,000 rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from psycopg import sql

NULL = "\\N"
CHUNK = 1 << 20  # characters sent to the server at a time


def value_text(value: object) -> str:
    """One value as COPY reads it: None as NULL; backslash, tab, newline and return escaped."""
    if value is None:
        return NULL
    text = value if type(value) is str else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def row_tail(values: Iterable[object] = ()) -> str:
    """The end of every row: `values` the rows share, encoded once, then the newline."""
    return "".join(f"\t{value_text(v)}" for v in values) + "\n"


def row_text(values: Iterable[object], tail: str = "\n") -> str:
    """One row: its own values, then the shared `tail` from `row_tail`."""
    return "\t".join(map(value_text, values)) + tail


def copy_text(*, table: str, columns: Sequence[str], blocks: Iterable[str]) -> None:
    """Send rows already encoded by `row_text` (in blocks of any size) into `table`."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in blocks:
            copy.write(block)


def copy_rows(
    *, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]], same: Sequence[object] = ()
) -> int:
    """COPY `rows` into `table`; `columns` names each row's values, then those of `same`, shared by every row.

    Takes a generator too, so a caller need not hold hundreds of thousands of rows at once.
    """
    tail = row_tail(same)
    count = 0

    def blocks() -> Iterable[str]:
        nonlocal count
        chunk: list[str] = []
        size = 0
        for row in rows:
            text = row_text(row, tail)
            chunk.append(text)
            count += 1
            size += len(text)
            if size >= CHUNK:  # by size: an import's line events are kilobytes each, entries a few dozen bytes
                yield "".join(chunk)
                chunk.clear()
                size = 0
        if chunk:
            yield "".join(chunk)

    copy_text(table=table, columns=columns, blocks=blocks())
    return count
