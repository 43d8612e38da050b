"""Page routes: sign-in, dashboard, register, initiative and its grid, finance, board packs, history."""

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import views


class NhsAsset(RedirectView):
    """nhsuk-frontend's precompiled CSS names its icons at /assets/…: send those to the collected static copy."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static(f"nhsuk/assets/{kwargs['rest']}")


urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("no-role/", views.no_role, name="no_role"),
    path("", views.dashboard, name="dashboard"),
    path("initiatives/", views.register, name="register"),
    path("initiatives/new/", views.initiative_new, name="initiative_new"),
    path("initiatives/<str:ref>/", views.initiative, name="initiative"),
    path("initiatives/<str:ref>/edit/", views.initiative_edit, name="initiative_edit"),
    path("initiatives/<str:ref>/benefits/new/", views.benefit_new, name="benefit_new"),
    path("benefits/<int:line_id>/grid/", views.grid_save, name="grid_save"),
    path("benefits/<int:line_id>/submit/", views.submit_actuals, name="submit_actuals"),
    path("finance/validation/", views.validation_queue, name="validation_queue"),
    path("finance/periods/", views.periods, name="periods"),
    path("finance/unit-costs/", views.unit_costs, name="unit_costs"),
    path("finance/unit-costs/<int:cost_id>/", views.unit_cost_edit, name="unit_cost_edit"),
    path("finance/unit-costs/<int:cost_id>/delete/", views.unit_cost_delete, name="unit_cost_delete"),
    path("finance/confidence-weights/", views.confidence_weights, name="confidence_weights"),
    path("finance/targets/", views.targets, name="targets"),
    path("finance/targets/new/", views.target_new, name="target_new"),
    path("finance/targets/<int:target_id>/", views.target_edit, name="target_edit"),
    path("finance/targets/<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path("board-packs/", views.board_packs, name="board_packs"),
    path("board-packs/<int:pack_id>/progress/", views.board_pack_progress, name="board_pack_progress"),
    path("board-packs/<int:pack_id>/download/", views.board_pack_download, name="board_pack_download"),
    path("assets/<path:rest>", NhsAsset.as_view(), name="nhsuk_asset"),
    path("history/<str:object_type>/<str:object_id>/", views.history, name="history"),
]
