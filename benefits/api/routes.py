"""API v1 routes of the register, ledger, reference data, audit and sign-in (API.md, Resources)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views


class Router(SimpleRouter):
    """No trailing-slash surprises: every path ends in `/`, as API.md writes them."""


router = Router()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("workstreams", views.WorkstreamViewSet, basename="workstream")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("benefits", views.BenefitViewSet, basename="benefit")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("unit-costs", views.UnitCostViewSet, basename="unit-cost")
router.register("confidence-weights", views.ConfidenceWeightViewSet, basename="confidence-weight")
router.register("targets", views.TargetViewSet, basename="target")
router.register("audit", views.AuditViewSet, basename="audit")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    *router.urls,
]
