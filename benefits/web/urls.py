"""Web page routes. Each area keeps its own routes module; this file only joins them."""

from django.urls import include, path

app_name = "web"
urlpatterns = [
    path("", include("benefits.web.routes")),  # sign-in, dashboard, register, initiative, finance, board packs, history
    path("", include("benefits.web.imports")),  # Excel import and export pages
    path("", include("benefits.web.exports")),  # the register's download as Excel, and its background jobs
]
