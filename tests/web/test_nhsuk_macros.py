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
