"""The Django admin: a read-only window on every model of the product, for administrators (ADR 0016).

Changes go through the services, with their checks and audit: the pages and the API for the
register, the ledger, periods and reference data, `manage.py add_user` for people. The one action
offered here, deactivating users, calls `services.users`. Who may enter, and the permissions on
the scheduler's and django-axes' models, come from `policy.ADMIN_SITE_PERMISSIONS` through
`benefits/admin_site.py`.
"""

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import TokenProxy

from . import models as m
from .errors import DomainError
from .policy import Action, can
from .services import users

# Nothing reads Django's groups (powers come from the role), and a token made here would let an
# administrator act as someone else through the API: people get their own at /api/v1/auth/token/.
admin.site.unregister(Group)
admin.site.unregister(TokenProxy)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages only, whatever permissions or flags the user holds."""

    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "organisations", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    fields = ("username", "first_name", "last_name", "email", "role", "organisations", "is_active", "last_login", "date_joined")
    actions = ["deactivate_users"]

    def has_administer_permission(self, request) -> bool:
        return can(request.user, Action.ADMINISTER)

    @admin.action(description="Deactivate selected users", permissions=["administer"])
    def deactivate_users(self, request, queryset):
        try:
            done = users.deactivate_users(users=queryset, by=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        names = ", ".join(u.username for u in done) or "nobody (they were already inactive)"
        self.message_user(request, f"Deactivated {names}. Run manage.py add_user to bring an account back.", messages.SUCCESS)


@admin.register(m.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name")


@admin.register(m.Workstream)
class WorkstreamAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "sro")


class BenefitLineInline(ReadOnlyInline):
    model = m.BenefitLine
    fields = ("title", "benefit_class", "recurrence", "is_disbenefit", "organisation", "measure", "unit_cost", "attribution_pct")


@admin.register(m.Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ("ref", "title", "workstream", "lead_organisation", "stage", "delivery_confidence")
    list_filter = ("stage", "delivery_confidence", "workstream", "lead_organisation")
    search_fields = ("ref", "title")
    inlines = [BenefitLineInline]


@admin.register(m.BenefitLine)
class BenefitLineAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "initiative", "benefit_class", "organisation", "measure", "attribution_pct")
    list_filter = ("benefit_class", "recurrence", "organisation")
    search_fields = ("title", "initiative__ref")


@admin.register(m.Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "benefit", "period", "series", "quantity", "value_gbp", "status")
    list_filter = ("series", "status")
    search_fields = ("benefit__initiative__ref", "period")
    list_select_related = ("benefit",)


@admin.register(m.Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("period", "status", "closed_by", "closed_at")
    list_filter = ("status",)


@admin.register(m.UnitCost)
class UnitCostAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit", "value_gbp", "valid_from", "source")
    search_fields = ("code", "name")


@admin.register(m.ConfidenceWeight)
class ConfidenceWeightAdmin(ReadOnlyAdmin):
    list_display = ("delivery_confidence", "weight")


@admin.register(m.Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("name", "amount_gbp", "basis", "start_period", "end_period")


@admin.register(m.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "reason")
    list_filter = ("object_type", "action")
    search_fields = ("object_id", "actor")


@admin.register(m.EntryStatusChange)
class EntryStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("entry", "from_status", "to_status", "by", "at", "reason")


@admin.register(m.RollupSnapshot)
class RollupSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("id", "fy", "as_at", "trigger", "taken_at")


@admin.register(m.BoardPack)
class BoardPackAdmin(ReadOnlyAdmin):
    list_display = ("id", "as_at", "status", "progress", "pages", "sha256", "created_at")


@admin.register(m.ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_by", "status", "progress", "lines", "fy", "size_bytes", "created_at")
    list_filter = ("status",)


@admin.register(m.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "filename", "created_by", "created_at")


@admin.register(m.OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "task", "created_at", "dispatched_at", "attempts")


@admin.register(m.IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("user", "key", "response_status", "created_at")
