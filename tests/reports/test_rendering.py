"""The same HTML gives the same PDF bytes in a worker, whatever it rendered before (ADR 0034, 0036)."""

from __future__ import annotations

import datetime as dt

from benefits.reports.rendering import render_pdf

CREATED = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)


def _page(text: str) -> str:
    return f'<html><body data-footer="Figures from a test"><h2>{text}</h2><pre>{text}</pre></body></html>'


def test_a_pack_rendered_after_others_has_the_same_bytes_as_before():
    first = render_pdf(_page("Board pack £1,234"), created=CREATED)
    render_pdf(_page("Another pack with other glyphs: ÆØÅ ß € ½ λ 0123456789"), created=CREATED)
    again = render_pdf(_page("Board pack £1,234"), created=CREATED)
    assert again.sha256 == first.sha256
    assert b"/ID" not in again.pdf  # no file identifier: nothing random, and nothing hashed twice


def test_fonts_subset_by_fonttools_are_stamped_with_the_pack_not_the_clock(monkeypatch):
    """Machines without HarfBuzz-Subset subset with fontTools, which writes the time into each font."""
    import weasyprint.pdf.fonts
    from fontTools.misc import timeTools

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    first = render_pdf(_page("Board pack £1,234"), created=CREATED)
    clock = timeTools.time.time
    monkeypatch.setattr(timeTools.time, "time", lambda: clock() + 3600)  # an hour later
    again = render_pdf(_page("Board pack £1,234"), created=CREATED)
    assert again.sha256 == first.sha256
