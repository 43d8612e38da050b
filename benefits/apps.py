from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "Ambulance Group benefits"
    default_auto_field = "django.db.models.BigAutoField"
