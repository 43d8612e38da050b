"""The Django admin, for administrators: every model; audit and snapshots read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import models as m


@admin.register(m.User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Tracker", {"fields": ("role", "organisations")}))
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "organisations", "is_active")


@admin.register(m.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(m.Workstream)
class WorkstreamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sro")


class BenefitLineInline(admin.TabularInline):
    model = m.BenefitLine
    extra = 0
    fields = ("title", "benefit_class", "recurrence", "is_disbenefit", "organisation", "measure", "unit_cost", "attribution_pct")


@admin.register(m.Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "workstream", "lead_organisation", "stage", "delivery_confidence")
    list_filter = ("stage", "delivery_confidence", "workstream", "lead_organisation")
    search_fields = ("ref", "title")
    readonly_fields = ("ref", "version", "created_at", "updated_at")
    inlines = [BenefitLineInline]

    def save_model(self, request, obj, form, change):  # pragma: no cover - admin convenience
        if not obj.ref:
            from .services.register import _next_ref

            obj.ref = _next_ref()
        if obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(m.BenefitLine)
class BenefitLineAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "initiative", "benefit_class", "organisation", "measure", "attribution_pct")
    list_filter = ("benefit_class", "recurrence", "organisation")
    search_fields = ("title", "initiative__ref")
    raw_id_fields = ("initiative",)


@admin.register(m.Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("id", "benefit", "period", "series", "quantity", "value_gbp", "status")
    list_filter = ("series", "status")
    search_fields = ("benefit__initiative__ref", "period")
    raw_id_fields = ("benefit", "updated_by")
    readonly_fields = ("value_gbp", "version")


@admin.register(m.Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("period", "status", "closed_by", "closed_at")


@admin.register(m.UnitCost)
class UnitCostAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "value_gbp", "valid_from", "source")


@admin.register(m.ConfidenceWeight)
class ConfidenceWeightAdmin(admin.ModelAdmin):
    list_display = ("delivery_confidence", "weight")


@admin.register(m.Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("name", "amount_gbp", "basis", "start_period", "end_period")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
