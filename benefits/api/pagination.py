"""Page-number pagination of every list (API.md): `{"count", "next", "previous", "results"}`.

`?page=` (1, 2, …) and `?page_size=` (1 to 500, default 50). A malformed value (`page=abc`,
`page_size=0`, `page_size=501`) is a 400 naming the parameter; a page beyond the last is a 404.
`count` is the size of the filtered set (one COUNT over the filtered queryset, never the table).

Other API modules: `pagination_class = PageNumberPagination` is the default (settings), so any
GenericAPIView/ViewSet list is paginated; for a plain list, `paginate(request, rows, view)`.
"""

from __future__ import annotations

from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


def _positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise ValidationError({name: [f"'{raw[:40]}' is not a whole number of 1 or more."]})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"At most {maximum}."]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        return _positive_int(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = _positive_int(request, self.page_query_param, 1)
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(f"There is no page {number}: the list has {paginator.num_pages} page(s).") from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.page_size_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}
                p["description"] = f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
            if p["name"] == self.page_query_param:
                p["schema"] = {"type": "integer", "minimum": 1}
        return params


def paginate(request, rows, view=None):
    """Paginate a plain list or queryset outside a generic view; returns the Response."""
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(rows, request, view)
    return paginator.get_paginated_response(page)
