"""API test helpers: a client signed in with a token, per member of the cast."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user, _handler: list = []) -> APIClient:  # noqa: B006 - shared on purpose
    client = APIClient()
    # A new client loads the middleware again (WhiteNoise scans every static file: ~0.5 s);
    # share the first client's loaded handler between all clients.
    if _handler:
        client.handler = _handler[0]
    else:
        _handler.append(client.handler)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """`api(user)` → an APIClient authenticated as that user (None: anonymous)."""
    return client_for
