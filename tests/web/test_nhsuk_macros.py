"""nhsuk-frontend-jinja renders the markup of the nhsuk-frontend we pin (ADR 0040).

nhsuk-frontend ships, for each component, the HTML its own macros produce for a set of
options (`fixtures.json`). Every fixture of the components the pages use is rendered through
the Jinja port and compared, whitespace aside: an upgrade of either package that drifts fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.template import engines
from jinja2 import ChainableUndefined
from markupsafe import Markup

from benefits.web.jinja2 import params_key

COMPONENTS = ["header", "footer", "skip-link", "error-summary", "input", "select", "textarea", "checkboxes", "button",
              "back-link", "tag", "inset-text", "pagination"]
DIST = Path(__file__).resolve().parents[2] / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "components"


def _normalise(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"\s*([<>])\s*", r"\1", html)
    return html.strip()


def _has_null(value) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


def _fixtures():
    for component in COMPONENTS:
        path = DIST / component / "fixtures.json"
        if not path.exists():
            continue
        for fixture in json.loads(path.read_text())["fixtures"]:
            # "call block" fixtures pass content through a Nunjucks caller; null options are Nunjucks-only edge cases
            if "call block" in fixture["name"] or _has_null(fixture.get("context")):
                continue
            yield pytest.param(component, fixture, id=f"{component}: {fixture['name']}")


@pytest.mark.skipif(not DIST.exists(), reason="node_modules/nhsuk-frontend is not installed (npm ci)")
@pytest.mark.parametrize(("component", "fixture"), list(_fixtures()))
def test_macro_matches_nhsuk_frontend_markup(component, fixture):
    name = component.split("-")[0] + "".join(p.title() for p in component.split("-")[1:])
    env = engines["jinja2"].env
    template = env.from_string(f'{{% from "nhsuk/components/{component}/macro.jinja" import {name} as m %}}{{{{ m(params) }}}}')
    assert _normalise(template.render(params=fixture.get("context") or {})) == _normalise(fixture["html"])


@pytest.mark.skipif(not DIST.exists(), reason="node_modules/nhsuk-frontend is not installed (npm ci)")
@pytest.mark.parametrize(("component", "fixture"), list(_fixtures()))
def test_kept_html_is_the_macros_own(component, fixture):
    """`cached(macro, params)` (ADR 0044) gives exactly the macro's HTML, the first time and when reused."""
    name = component.split("-")[0] + "".join(p.title() for p in component.split("-")[1:])
    env = engines["jinja2"].env
    source = f'{{% from "nhsuk/components/{component}/macro.jinja" import {name} as m %}}'
    direct = env.from_string(source + "{{ m(params) }}")
    kept = env.from_string(source + "{{ cached(m, params) }}")
    params = fixture.get("context") or {}
    assert kept.render(params=params) == direct.render(params=params)
    assert kept.render(params=params) == direct.render(params=params)


def test_parameters_that_a_macro_tells_apart_are_kept_apart():
    env = engines["jinja2"].env
    source = '{% from "nhsuk/components/button/macro.jinja" import button %}{{ cached(button, params) }}'
    template = env.from_string(source)
    as_text = template.render(params={"text": "<b>Save</b>"})
    as_html = template.render(params={"html": Markup("<b>Save</b>")})
    assert "&lt;b&gt;Save" in as_text and "<b>Save</b>" in as_html
    assert 'disabled' in template.render(params={"text": "Save", "disabled": True})
    assert 'disabled' not in template.render(params={"text": "Save", "disabled": False})
    assert params_key({"a": True}) != params_key({"a": 1}) and params_key({"a": Markup("x")}) != params_key({"a": "x"})
    assert params_key({"a": ChainableUndefined()}) != params_key({"a": Markup("")}) != params_key({"a": None})


def test_a_parameter_without_a_safe_key_is_rendered_afresh():
    env = engines["jinja2"].env
    source = '{% from "nhsuk/components/button/macro.jinja" import button %}{{ cached(button, {"text": label}) }}'
    template = env.from_string(source)

    class Label:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    assert ">First<" in template.render(label=Label("First")).replace("\n", "").replace(" ", "")
    assert ">Second<" in template.render(label=Label("Second")).replace("\n", "").replace(" ", "")


def test_select_items_keep_the_macros_html_and_tell_each_choice_apart():
    """The filters' SelectItems carry their own key; kept HTML must still be the macro's, per selection."""
    from benefits.web.presenters import SelectItems

    env = engines["jinja2"].env
    source = '{% from "nhsuk/components/select/macro.jinja" import select %}'
    kept = env.from_string(source + '{{ cached(select, {"id": "ws", "name": "ws", "label": {"text": "Workstream"}, "items": items}) }}')
    fresh = env.from_string(source + '{{ select({"id": "ws", "name": "ws", "label": {"text": "Workstream"}, "items": items}) }}')
    pairs = [("FLEET", "Fleet & estates"), ("CLIN", "Clinical <b>")]
    for selected in ("", "FLEET", "CLIN", "FLEET"):
        items = SelectItems(pairs, selected, "All workstreams")
        assert kept.render(items=items) == fresh.render(items=list(items))
    assert 'value="CLIN" selected' in kept.render(items=SelectItems(pairs, "CLIN", "All"))
    assert "Clinical &lt;b&gt;" in kept.render(items=SelectItems(pairs, "", "All"))
    renamed = SelectItems([("FLEET", "Fleet"), ("CLIN", "Clinical <b>")], "", "All")
    assert "Fleet &amp; estates" not in kept.render(items=renamed)  # new names are a new key
