"""Page tests: signed-in clients of the cast, and a small register with figures."""

from __future__ import annotations

import pytest

from tests.factories import make_initiative, make_line, put


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def scheme(pmo_rye):
    """AG-… of RYE with one GBP line: plan and forecast for April to June 2025."""
    initiative = make_initiative(pmo_rye, title="Joint fleet maintenance")
    line = make_line(pmo_rye, initiative, title="Fleet savings")
    put(pmo_rye, line, "plan", ["2025-04", "2025-05", "2025-06"], "10000.00")
    put(pmo_rye, line, "forecast", ["2025-04", "2025-05", "2025-06"], "9000.00")
    return initiative, line
