"""What people type is shown as text: a hostile title or name never becomes markup on a page."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, make_initiative

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert('x')</script> & \"Fleet\""
AS_TEXT = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;Fleet&#34;"


def test_a_hostile_title_shows_in_the_register_as_text(client, admin_user, executive):
    initiative = make_initiative(admin_user, title=HOSTILE)
    client.force_login(executive)
    page = client.get("/initiatives/").text
    assert "<script>alert(" not in page
    assert f'<td class="nhsuk-table__cell">{AS_TEXT}</td>' in page
    assert initiative.ref in page


def test_a_hostile_name_shows_in_the_header_as_text(client):
    """The header's account item is markup built in Python (layout.page_chrome): the name inside it is escaped."""
    user = UserFactory(username="odd", first_name="<script>alert('x')</script> &", last_name='"Fleet"', role="executive", orgs=["RYE"])
    client.force_login(user)
    header = client.get("/initiatives/").text.split("</header>")[0]
    assert "<script>alert(" not in header
    assert f'<span class="app-account-name">{AS_TEXT}</span>' in header
