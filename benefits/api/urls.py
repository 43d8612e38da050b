"""API v1 routes (API.md). The resource areas are routed in routes.py; rollups, board packs and Excel keep
their own patterns; this file only joins them."""

from django.urls import include, path

app_name = "api"
urlpatterns = [
    path("", include("benefits.api.routes")),  # auth, register, ledger, periods, reference data, audit
    path("", include("benefits.api.rollups")),  # rollups, target progress, snapshots
    path("", include("benefits.api.board_packs")),  # board packs
    path("", include("benefits.api.excel")),  # imports and exports
]
