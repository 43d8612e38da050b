"""Root URLs: admin, API v1 with its schema and docs, and the web pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/v1/", include("benefits.api.urls")),
    path("", include("benefits.web.urls")),
]

# Error pages in plain words (the API answers JSON from the same handlers).
handler403 = "benefits.web.http.error_403"
handler404 = "benefits.web.http.error_404"
handler500 = "benefits.web.http.error_500"
