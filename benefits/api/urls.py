"""API v1 routes (API.md). Each area keeps its own routes module; this file only joins them."""

from django.urls import include, path

app_name = "api"
urlpatterns = [
    path("", include("benefits.api.routes")),  # register, ledger, reference data, audit, auth
    path("", include("benefits.api.rollups")),  # rollups, target progress, snapshots
    path("", include("benefits.api.board_packs")),  # board packs
    path("", include("benefits.api.excel")),  # imports and exports
]
