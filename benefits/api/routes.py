"""API v1 routes of the resources (API.md, Resources): each path and the area module that serves it."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import audit, auth, ledger, periods, reference, register


class Router(SimpleRouter):
    """No trailing-slash surprises: every path ends in `/`, as API.md writes them."""


router = Router()
router.register("organisations", register.OrganisationViewSet, basename="organisation")
router.register("workstreams", register.WorkstreamViewSet, basename="workstream")
router.register("initiatives", register.InitiativeViewSet, basename="initiative")
router.register("benefits", register.BenefitViewSet, basename="benefit")
router.register("entries", ledger.EntryViewSet, basename="entry")
router.register("periods", periods.PeriodViewSet, basename="period")
router.register("unit-costs", reference.UnitCostViewSet, basename="unit-cost")
router.register("confidence-weights", reference.ConfidenceWeightViewSet, basename="confidence-weight")
router.register("targets", reference.TargetViewSet, basename="target")
router.register("audit", audit.AuditViewSet, basename="audit")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    *router.urls,
]
