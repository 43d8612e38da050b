from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "Ambulance Group benefits"
    default_auto_field = "django.db.models.BigAutoField"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site whose door is the product's policy (ADR 0016); INSTALLED_APPS names it."""

    default = False  # `benefits` itself keeps BenefitsConfig
    default_site = "benefits.admin_site.AdminSite"
