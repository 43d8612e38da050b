"""Who may open which page: every page route × the cast, with the status each should get (GET).

A new route without a row here fails `test_every_page_route_is_in_the_table`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from benefits.models import Target
from benefits.services.board_packs import request_board_pack
from benefits.web import excel, urls
from tests.factories import make_initiative, make_line, make_unit_cost

ROLES = ("anon", "outsider", "pmo_own", "pmo_other", "finance", "executive", "admin")
READERS = {"pmo_own": 200, "pmo_other": 200, "finance": 200, "executive": 200, "admin": 200}
SIGNED_OUT = {"anon": 302, "outsider": 302}  # to sign-in, and to the page that says whom to ask


def expect(**allowed: int) -> dict[str, int]:
    table = dict.fromkeys(ROLES, 403) | SIGNED_OUT
    return table | allowed


# name: (kwargs builder, expected status by role)
TABLE = {
    "login": (lambda w: {}, dict.fromkeys(ROLES, 200)),
    "logout": (lambda w: {}, dict.fromkeys(ROLES, 405)),
    "no_role": (lambda w: {}, {"anon": 302, "outsider": 403, **READERS}),
    "dashboard": (lambda w: {}, expect(**READERS)),
    "register": (lambda w: {}, expect(**READERS)),
    "initiative_new": (lambda w: {}, expect(pmo_own=200, pmo_other=200, admin=200)),
    "initiative": (lambda w: {"ref": w["ref"]}, expect(**READERS)),
    "initiative_edit": (lambda w: {"ref": w["ref"]}, expect(pmo_own=200, admin=200)),
    "benefit_new": (lambda w: {"ref": w["ref"]}, expect(pmo_own=200, admin=200)),
    "register_excel": (lambda w: {}, expect(**dict.fromkeys(READERS, 405))),  # POST only
    "grid_save": (lambda w: {"line_id": w["line"]}, expect(**dict.fromkeys(READERS, 405))),
    "submit_actuals": (lambda w: {"line_id": w["line"]}, expect(**dict.fromkeys(READERS, 405))),
    "validation_queue": (lambda w: {}, expect(finance=200, admin=200)),
    "periods": (lambda w: {}, expect(finance=200, admin=200)),
    "unit_costs": (lambda w: {}, expect(**READERS)),
    "unit_cost_edit": (lambda w: {"cost_id": w["unit_cost"]}, expect(finance=200, admin=200)),
    "unit_cost_delete": (lambda w: {"cost_id": w["unit_cost"]}, expect(finance=200, admin=200)),
    "confidence_weights": (lambda w: {}, expect(**READERS)),
    "targets": (lambda w: {}, expect(**READERS)),
    "target_new": (lambda w: {}, expect(finance=200, admin=200)),
    "target_edit": (lambda w: {"target_id": w["target"]}, expect(finance=200, admin=200)),
    "target_delete": (lambda w: {"target_id": w["target"]}, expect(finance=200, admin=200)),
    "board_packs": (lambda w: {}, expect(**READERS)),
    "board_pack_progress": (lambda w: {"pack_id": w["pack"]}, expect(**READERS)),
    "board_pack_download": (lambda w: {"pack_id": w["pack"]}, expect(**dict.fromkeys(READERS, 409))),  # not built yet
    "nhsuk_asset": (lambda w: {"rest": "images/nhsuk-icon-cross.svg"}, dict.fromkeys(ROLES, 301)),
    "history": (lambda w: {"object_type": "initiative", "object_id": w["ref"]}, expect(**READERS)),
}


def test_every_page_route_is_in_the_table():
    """The Excel area's routes have their tables in tests/excel (test_pages.py, test_export_jobs.py)."""
    assert {p.name for p in urls.urlpatterns} - {p.name for p in excel.urlpatterns} == set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_each_role_as_the_table_says(role, client, request, pmo_rye, executive, admin_user):
    initiative = make_initiative(pmo_rye, title="Scoped to RYE")
    line = make_line(pmo_rye, initiative)
    world = {"ref": initiative.ref, "line": line.pk, "target": Target.objects.order_by("id").first().pk,
             "unit_cost": make_unit_cost(admin_user, code="bed_day", valid_from="2025-04").pk,
             "pack": request_board_pack(user=executive, as_at="2025-06").pk}
    fixture = {"outsider": "outsider", "pmo_own": "pmo_rye", "pmo_other": "pmo_ryd", "finance": "finance_rye",
               "executive": "executive", "admin": "admin_user"}.get(role)
    if fixture:
        client.force_login(request.getfixturevalue(fixture))
    wrong = {}
    for name, (kwargs, expected) in TABLE.items():
        status = client.get(reverse(f"web:{name}", kwargs=kwargs(world))).status_code
        if status != expected[role]:
            wrong[name] = (status, expected[role])
    assert not wrong, f"{role}: {{page: (got, expected)}} = {wrong}"
