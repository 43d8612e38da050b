"""The Django admin is a read-only window on the product's data, open to the admin role only (ADR 0016).

Every model registered in the admin is walked: a `benefits` model can be listed and read, never
added, changed or deleted there, and offers no bulk action but those that call a service. A model
from outside `benefits` must be in OUTSIDE_BENEFITS with a reason, so a newly registered one fails
`test_every_model_outside_benefits_is_one_we_chose` until someone decides.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from benefits.errors import NotAllowed, ValidationFailed
from benefits.models import (
    AuditEvent,
    Entry,
    IdempotencyKey,
    ImportBatch,
    Initiative,
    User,
)
from benefits.services import actuals as actual_services
from benefits.services import board_packs, exports, periods, snapshots, users
from tests.factories import UserFactory, make_initiative, make_line, make_unit_cost, put

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"

# Operational data of the libraries the product runs on, not the register, the ledger, periods or
# reference data. A model registered in the admin from outside `benefits` must be named here.
OUTSIDE_BENEFITS = {
    "django_celery_beat.PeriodicTask": "the beat schedule admins see, disable and retime (ADR 0022)",
    "django_celery_beat.IntervalSchedule": "when a periodic task runs",
    "django_celery_beat.CrontabSchedule": "when a periodic task runs",
    "django_celery_beat.SolarSchedule": "when a periodic task runs",
    "django_celery_beat.ClockedSchedule": "when a periodic task runs",
    "axes.AccessAttempt": "sign-in lockouts: deleting one lets a locked-out colleague try again",
    "axes.AccessLog": "who signed in from where, read-only",
    "axes.AccessFailureLog": "failed sign-ins, read-only",
}

# The only bulk actions a `benefits` model may offer: each calls a service that checks policy and audits.
SERVICE_ACTIONS = {"benefits.User": {"deactivate_users"}}


def registered(prefix: str = "") -> list:
    return [m for m in apps.get_models() if admin.site.is_registered(m) and m._meta.label.startswith(prefix)]


BENEFITS_MODELS = registered("benefits.")


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def row_of(model) -> dict:
    return model._default_manager.order_by("pk").values().first()


@pytest.fixture
def admin_role(db):
    """An administrator as `manage.py add_user` makes one (and `make run`'s demo `admin`)."""
    user, _ = users.add_user(username="ada", role="admin", org_codes=[], password=PASSWORD, full_name="Ada Admin")
    return user


@pytest.fixture
def world(admin_role, pmo_rye, finance_rye, finance_ryd):
    """One row of every model the admin shows, made the way the product makes them."""
    initiative = make_initiative(pmo_rye)
    line = make_line(pmo_rye, initiative)
    make_unit_cost(finance_rye)
    [actual] = put(pmo_rye, line, "actual", ["2025-04"], "12.00")
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    actual_services.validate_entry(user=finance_ryd, entry=actual)
    periods.close_period(user=finance_rye, period="2025-04")
    snapshots.take_snapshot(as_at="2025-04", user=finance_rye)
    board_packs.request_board_pack(user=admin_role, as_at="2025-04")
    exports.request_register_export(user=admin_role, filters={}, fy=None, lines=1)
    ImportBatch.objects.create(filename="tracker.xlsx", sha256="0" * 64, created_by=pmo_rye)
    IdempotencyKey.objects.create(user=pmo_rye, key="k1", request_hash="0" * 64, response_status=201)
    missing = [m._meta.label for m in BENEFITS_MODELS if row_of(m) is None]
    assert not missing, f"add a row of {missing} to this world"
    return initiative


@pytest.fixture
def admin_client(admin_role) -> Client:
    client = Client()
    client.force_login(admin_role)
    return client


def offered_actions(model, user) -> set[str]:
    request = RequestFactory().get(url(model, "changelist"))
    request.user = user
    return set(admin.site.get_model_admin(model).get_actions(request))


def test_every_model_outside_benefits_is_one_we_chose():
    outside = {m._meta.label for m in registered()} - {m._meta.label for m in BENEFITS_MODELS}
    assert outside == set(OUTSIDE_BENEFITS), "decide whether the admin should show it (ADR 0016) and name it here"


@pytest.mark.parametrize("model", BENEFITS_MODELS, ids=lambda m: m._meta.label)
def test_an_administrator_reads_each_benefits_model_and_changes_nothing(model, world, admin_client, admin_role):
    before = row_of(model)
    pk = before["id"]
    count = model._default_manager.count()

    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "change", pk)).status_code == 200

    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "add"), {"_save": "Save"}).status_code == 403
    assert admin_client.post(url(model, "change", pk), {**_as_form(before), "_save": "Save"}).status_code == 403
    assert admin_client.get(url(model, "delete", pk)).status_code == 403
    assert admin_client.post(url(model, "delete", pk), {"post": "yes"}).status_code == 403

    assert offered_actions(model, admin_role) <= SERVICE_ACTIONS.get(model._meta.label, set())
    admin_client.post(url(model, "changelist"), {"action": "delete_selected", "_selected_action": [pk], "index": 0, "post": "yes"})

    assert row_of(model) == before
    assert model._default_manager.count() == count


def _as_form(values: dict) -> dict:
    """A row's own values as a change form would post them, with one visible edit where there is text."""
    form = {k: ("" if v is None else v) for k, v in values.items() if not isinstance(v, (dict, list))}
    for key in ("title", "name", "first_name", "reason", "filename"):
        if key in form:
            form[key] = "Changed through the admin"
    return form


def test_a_post_to_the_change_page_leaves_a_closed_month_actual_as_it_was(world, admin_client):
    actual = Entry.objects.get(series="actual", period="2025-04")
    response = admin_client.post(url(Entry, "change", actual.pk), {
        "benefit": actual.benefit_id, "period": "2025-04", "series": "actual", "quantity": "99.00",
        "status": "validated", "_save": "Save",
    })
    assert response.status_code == 403
    assert Entry.objects.values("quantity", "value_gbp", "status").get(pk=actual.pk) == {
        "quantity": actual.quantity, "value_gbp": actual.value_gbp, "status": "validated"}
    assert str(actual.quantity) == "12.00"


def test_the_administrator_manages_the_beat_schedule_and_releases_lockouts_but_keeps_the_sign_in_logs(admin_client, admin_role):
    for model in registered():
        if not model._meta.label.startswith("benefits."):
            assert admin_client.get(url(model, "changelist")).status_code == 200, model._meta.label
    request = RequestFactory().get("/admin/")
    request.user = admin_role
    beat = admin.site.get_model_admin(apps.get_model("django_celery_beat", "PeriodicTask"))
    attempts = admin.site.get_model_admin(apps.get_model("axes", "AccessAttempt"))
    log = admin.site.get_model_admin(apps.get_model("axes", "AccessLog"))
    assert beat.has_change_permission(request) and beat.has_delete_permission(request)
    assert attempts.has_delete_permission(request)
    assert log.has_view_permission(request) and not log.has_delete_permission(request)


def test_the_admin_index_lists_the_product_and_the_schedule(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "Ambulance Group benefits" in page
    assert "Periodic tasks" in page
    assert "Groups" not in page and "Tokens" not in page


@pytest.mark.parametrize("fixture", ["pmo_rye", "finance_rye", "executive", "outsider"])
def test_other_roles_cannot_enter_the_admin(fixture, request, client, world):
    client.force_login(request.getfixturevalue(fixture))
    for path in ("/admin/", url(Initiative, "changelist"), url(Initiative, "change", world.pk)):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path


def test_an_anonymous_visitor_is_sent_to_the_admin_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_sign_in_lets_administrators_in_and_no_one_else(admin_role, finance_rye):
    ada = Client()
    response = ada.post("/admin/login/?next=/admin/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert ada.get("/admin/").status_code == 200

    finance_rye.set_password(PASSWORD)
    finance_rye.save()
    fiona = Client()
    response = fiona.post("/admin/login/?next=/admin/", {"username": finance_rye.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter the username and password of an administrator" in response.content.decode()
    assert "_auth_user_id" not in fiona.session


def test_a_superuser_without_a_role_cannot_enter_or_change_anything(client, world):
    root = UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    client.force_login(root)
    before = row_of(Initiative)
    assert client.get("/admin/").status_code == 302
    response = client.post(url(Initiative, "change", world.pk), {**_as_form(before), "_save": "Save"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.post(url(Initiative, "delete", world.pk), {"post": "yes"}).status_code == 302
    assert row_of(Initiative) == before


def test_the_superuser_flag_gives_an_administrator_no_write_either(client, world):
    root = UserFactory(username="root", role="admin", is_superuser=True, is_staff=True)
    client.force_login(root)
    before = row_of(Initiative)
    assert client.get(url(Initiative, "change", world.pk)).status_code == 200
    assert client.post(url(Initiative, "change", world.pk), {**_as_form(before), "_save": "Save"}).status_code == 403
    assert client.post(url(Initiative, "delete", world.pk), {"post": "yes"}).status_code == 403
    assert row_of(Initiative) == before


def test_add_user_gives_administrators_no_django_superuser_or_staff_flag(admin_role):
    admin_role.refresh_from_db()
    assert (admin_role.is_superuser, admin_role.is_staff) == (False, False)


def test_deactivating_a_user_in_the_admin_is_audited_and_stops_them_signing_in(admin_client, admin_role, pmo_rye):
    theirs = Client()
    theirs.force_login(pmo_rye)
    assert theirs.get("/").status_code == 200

    response = admin_client.post(url(User, "changelist"), {"action": "deactivate_users", "_selected_action": [pmo_rye.pk], "index": 0})
    assert response.status_code == 302

    pmo_rye.refresh_from_db()
    assert not pmo_rye.is_active
    event = AuditEvent.objects.get(action="benefits.user.updated", object_id=pmo_rye.username)
    assert (event.actor, event.changes) == ("ada", {"is_active": [True, False]})
    assert not Client().login(username=pmo_rye.username, password="test-password-123")
    assert theirs.get("/").status_code == 302  # signed out at the next page


def test_an_administrator_cannot_deactivate_themselves(admin_client, admin_role, pmo_rye):
    response = admin_client.post(url(User, "changelist"), {"action": "deactivate_users", "_selected_action": [admin_role.pk, pmo_rye.pk], "index": 0}, follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    assert User.objects.filter(pk__in=[admin_role.pk, pmo_rye.pk], is_active=True).count() == 2
    assert not AuditEvent.objects.filter(action="benefits.user.updated").exists()


def test_only_administrators_may_deactivate_users(finance_rye, pmo_rye):
    with pytest.raises(NotAllowed):
        users.deactivate_users(users=[pmo_rye], by=finance_rye)
    pmo_rye.refresh_from_db()
    assert pmo_rye.is_active


def test_add_user_brings_a_deactivated_user_back(admin_role, pmo_rye):
    users.deactivate_users(users=[pmo_rye], by=admin_role)
    user, created = users.add_user(username=pmo_rye.username, role="programme_office", org_codes=["RYE"], password=PASSWORD)
    assert not created and user.is_active
    assert Client().login(username=pmo_rye.username, password=PASSWORD)
    latest = AuditEvent.objects.filter(object_type="user", object_id=pmo_rye.username).latest("pk")
    assert latest.changes["is_active"] == [False, True]


def test_the_service_refuses_to_deactivate_the_one_who_asks(admin_role):
    with pytest.raises(ValidationFailed, match="your own account"):
        users.deactivate_users(users=[admin_role], by=admin_role)

