"""API v1 routes (API.md)."""

from django.urls import path  # noqa: F401

app_name = "api"
urlpatterns: list = []
