"""Adapters over `benefits.policy`: deny by default (API.md, Who may do what).

`PolicyPermission` is REST_FRAMEWORK's default permission class, so every API view gets it:
- no user → 401; a user without a role (or inactive) → 403 on everything, reads included;
- safe methods (GET, HEAD, OPTIONS) need `Action.VIEW`; a method the view does not handle → 405;
- any other method needs the view's `write_action` (or `write_actions[view.action]` on a viewset);
  a view that names none refuses every write with 403.

How other API modules use it:
    class BoardPackViewSet(...):
        write_action = Action.GENERATE_BOARD_PACK        # POST board-packs/
    class SnapshotView(APIView):
        write_actions = {"create": Action.TAKE_SNAPSHOT}  # per viewset action (or per HTTP method, lower case)

This is only the role part. Trust scope (a RYE programme-office user writing a RYD-only initiative),
segregation of duties and other object rules are checked by the services under a row lock and raise
`NotAllowed` (→ 403); reads go through `Model.objects.for_user(user, action)`.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from benefits.policy import Action, can


def required_action(request, view) -> Action | None:
    """The policy action this request needs, or None when the view allows no such write."""
    if request.method in SAFE_METHODS:
        return getattr(view, "read_action", Action.VIEW)
    per_action = getattr(view, "write_actions", None) or {}
    for key in (getattr(view, "action", None), request.method.lower()):
        if key and key in per_action:
            return per_action[key]
    return getattr(view, "write_action", None)


def _handles(request, view) -> bool:
    """Whether the view has a handler for this method (viewsets map methods to actions)."""
    action_map = getattr(view, "action_map", None)
    if action_map is not None:
        return request.method.lower() in action_map or request.method == "OPTIONS"
    return hasattr(view, request.method.lower())


class PolicyPermission(BasePermission):
    """Role check from policy.ROLE_ACTIONS; unauthenticated → 401, no role or no right → 403."""

    message = "Your role does not allow this. Ask an administrator if you need it."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if not _handles(request, view):
            return True  # let the view answer 405 Method Not Allowed rather than a misleading 403
        action = required_action(request, view)
        return action is not None and can(user, action)


class AllowAnyone(BasePermission):
    """Only for signing in (auth/token/): the one endpoint that needs no user."""

    def has_permission(self, request, view) -> bool:
        return True
