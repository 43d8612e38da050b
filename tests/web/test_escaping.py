"""What a page prints of a value is escaped exactly as stock Jinja and markupsafe escape it.

The pages' environment prints `{{ }}` through `benefits.web.jinja2.escape_output`, a plain-str
form of markupsafe's `escape` (ADR 0044). These tests hold it to the stock behaviour, text,
markup and other values alike, and show a hostile title arriving in the register as text.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import engines
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup, escape

from benefits.web.jinja2 import escape_output
from tests.factories import make_initiative

SOURCE = (
    '{% macro cell(v) %}<td title="{{ v }}">{{ v }}</td>{% endmacro %}'
    "<p>{{ v }}</p>{{ cell(v) }}{% call wrap() %}<b>{{ v }}</b>{% endcall %}{% set kept %}<i>{{ v }}</i>{% endset %}{{ kept }}"
)
WRAP = '{% macro wrap() %}<div>{{ caller() }}</div>{% endmacro %}'


class _Html:
    def __html__(self) -> str:
        return "<em>already markup</em>"


def _stock(value) -> str:
    env = Environment(autoescape=True, undefined=ChainableUndefined)
    return env.from_string(WRAP + SOURCE).render(v=value)


def _ours(value) -> str:
    return engines["jinja2"].env.from_string(WRAP + SOURCE).render(v=value)


@given(st.text())
def test_text_prints_as_stock_jinja_prints_it(text):
    assert escape_output(text) == str(escape(text))
    assert _ours(text) == _stock(text)


@pytest.mark.parametrize(
    "value",
    [Markup("<b>bold</b>"), _Html(), 1234, Decimal("-0.50"), 1.5, None, True, "", "<script>alert('x')</script> & \"q\""],
    ids=repr,
)
def test_markup_numbers_and_none_print_as_stock_jinja_prints_them(value):
    assert escape_output(value) == str(escape(value))
    assert _ours(value) == _stock(value)


def test_an_undefined_value_prints_nothing_as_it_did():
    env = engines["jinja2"].env
    assert env.from_string("[{{ missing }}][{{ missing.deeper }}]").render() == "[][]"


def test_every_output_of_a_page_template_goes_through_escape_output():
    """A Jinja upgrade that stopped calling the hook would go unnoticed otherwise (only slower)."""
    env = engines["jinja2"].env
    source = env.loader.get_source(env, "benefits/partials/register_results.jinja")[0]
    code = env.compile(source, "register_results.jinja", raw=True)
    assert "environment.escape_output(" in code
    assert "escape(" not in code.replace("escape_output(", "")


@pytest.mark.django_db
def test_a_hostile_title_shows_in_the_register_as_text(client, admin_user, executive):
    title = "<script>alert('x')</script> & \"Fleet\""
    initiative = make_initiative(admin_user, title=title)
    client.force_login(executive)
    page = client.get("/initiatives/").text
    assert "<script>alert(" not in page
    assert '<td class="nhsuk-table__cell">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;Fleet&#34;</td>' in page
    assert initiative.ref in page
