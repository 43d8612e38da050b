"""The register as the pages read it: RegisterFilter's meaning, an invalid value left out, one page at a time."""

from __future__ import annotations

import pytest

from benefits.selectors.register import filtered_register, register_page
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def titles(initiatives) -> list[str]:
    return sorted(initiatives.values_list("title", flat=True))


def test_the_filters_mean_what_the_api_says_and_an_invalid_one_is_left_out(pmo_rye, pmo_ryd, executive):
    make_initiative(pmo_rye, title="Fleet telematics", confidence="red")
    make_initiative(pmo_ryd, lead="RYD", orgs=("RYE",), title="Shared estates", confidence="red")
    make_initiative(pmo_ryd, lead="RYD", title="Hear and treat", confidence="green")

    involving_rye = filtered_register(executive, {"organisation": "RYE", "delivery_confidence": "red"})
    assert titles(involving_rye.selected) == ["Fleet telematics", "Shared estates"]  # any trust involved, not only the lead
    assert involving_rye.applied == {"organisation": "RYE", "delivery_confidence": "red"}

    odd = filtered_register(executive, {"lead_organisation": "RYD", "delivery_confidence": "purple", "search": "  "})
    assert titles(odd.selected) == ["Hear and treat", "Shared estates"]
    assert odd.applied == {"lead_organisation": "RYD"}  # the rating that does not exist, and blank words, are left out


def test_a_page_of_the_register_is_sorted_counted_and_never_past_the_end(pmo_rye, executive):
    for title in ("Bravo", "Alpha", "Charlie"):
        make_initiative(pmo_rye, title=title)
    everything = filtered_register(executive, {}).selected
    first = register_page(initiatives=everything, sort="title", descending=True, page=1, size=2)
    assert [i.title for i in first.items] == ["Charlie", "Bravo"]
    assert (first.count, first.number, first.pages, first.has_previous, first.has_next) == (3, 1, 2, False, True)
    last = register_page(initiatives=everything, sort="title", descending=True, page=99, size=2)
    assert ([i.title for i in last.items], last.number, last.has_next) == (["Alpha"], 2, False)
