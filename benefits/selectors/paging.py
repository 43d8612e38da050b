"""One page of a list, read whole: the pages' paged lists (register, validation queue, history).

A page of a list costs two queries whatever its length: the count of the filtered rows and the
rows of the page. Selectors hand pages back as `Paged`, so no caller pages a queryset itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.paginator import Paginator
from django.db.models import QuerySet

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """The rows of page `number` of `pages`, and how many rows the whole list holds."""

    items: list[T]
    count: int
    number: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(rows: QuerySet, number: int, size: int) -> Paged:
    """Page `number` of `rows` (ordered by the caller); a page past the end is the last one."""
    paginator = Paginator(rows, size)
    page = paginator.get_page(number)
    return Paged(items=list(page.object_list), count=paginator.count, number=page.number, pages=paginator.num_pages)
