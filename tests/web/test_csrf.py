"""A page's CSRF token (benefits.web.jinja2.csrf_once) is one Django accepts, masked afresh and evenly."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client

from benefits.web.jinja2 import mask_csrf_secret

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.mark.django_db
def test_the_token_of_a_later_page_signs_its_forms_and_a_changed_one_does_not(pmo_rye):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pmo_rye)
    browser.get("/initiatives/")  # the first page sets the cookie; later pages mask its secret
    token = TOKEN.search(browser.get("/initiatives/").text).group(1)
    secret = browser.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == secret and len(token) == 64
    changed = token[:40] + ("a" if token[40] != "a" else "b") + token[41:]
    assert browser.post("/accounts/logout/", {"csrfmiddlewaretoken": changed}).status_code == 403
    response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_each_page_renews_the_cookie_and_masks_anew(pmo_rye):
    browser = Client()
    browser.force_login(pmo_rye)
    browser.get("/initiatives/")
    responses = [browser.get("/initiatives/") for _ in range(2)]
    assert all("csrftoken" in r.cookies for r in responses)  # renewed, as Django's get_token asks
    tokens = [TOKEN.search(r.text).group(1) for r in responses]
    assert tokens[0] != tokens[1] and _unmask_cipher_token(tokens[0]) == _unmask_cipher_token(tokens[1])


def test_every_mask_character_is_equally_likely():
    """A mask taken as byte % 62 would favour eight characters by a quarter; rejection keeps them even."""
    secret = "a" * 32
    counts = Counter("".join(mask_csrf_secret(secret)[:32] for _ in range(12_000)))
    expected = 12_000 * 32 / len(CSRF_ALLOWED_CHARS)
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert all(abs(n - expected) < 0.08 * expected for n in counts.values()), counts.most_common(3) + counts.most_common()[-3:]


def test_a_value_that_is_not_a_secret_is_refused():
    for value in (None, "", "short", "!" * 32):
        with pytest.raises((TypeError, KeyError, ValueError)):
            mask_csrf_secret(value)
