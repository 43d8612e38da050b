"""The pages' routes: each area module keeps its own; this file only joins them (and sends the
design system's asset paths to the collected copy)."""

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import (
    accounts,
    board_packs,
    dashboard,
    excel,
    grid,
    history,
    initiative,
    initiative_forms,
    periods,
    reference,
    reference_changes,
    register,
    validation,
)


class NhsAsset(RedirectView):
    """nhsuk-frontend's precompiled CSS names its icons at /assets/…: send those to the collected static copy."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static(f"nhsuk/assets/{kwargs['rest']}")


# initiative_forms before initiative: "initiatives/new/" is not an initiative's ref.
AREAS = (accounts, dashboard, register, initiative_forms, initiative, grid, validation, periods, reference, reference_changes,
         board_packs, history, excel)

app_name = "web"
urlpatterns = [
    *(route for area in AREAS for route in area.urlpatterns),
    path("assets/<path:rest>", NhsAsset.as_view(), name="nhsuk_asset"),
]
