"""WeasyPrint's url_fetcher serves the pack's own static files and nothing else (ADR 0034).

The pack's template escapes every title, so hostile text never becomes markup (see
test_board_pack_pdf); here the markup is fed to the renderer raw, to prove the second wall.
"""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from benefits.reports.rendering import REPORTS_STATIC, FetchRefused, StaticOnlyFetcher, render_pdf


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def test_the_pack_stylesheet_is_served_and_everything_else_refused(listener):
    port = listener.getsockname()[1]
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch((REPORTS_STATIC / "board_pack.css").resolve().as_uri())
    assert css.content_type == "text/css" and b"@page" in css.read()
    for url in (
        f"http://127.0.0.1:{port}/",
        f"https://127.0.0.1:{port}/",
        "file:///etc/passwd",
        (REPORTS_STATIC / ".." / ".." / "config" / "settings" / "base.py").as_uri(),
        "file://evil.example/etc/passwd",
        "data:text/css,body{color:red}",
        f"ftp://127.0.0.1:{port}/x",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert not _connected(listener)


def test_raw_hostile_markup_fetches_nothing_from_network_or_disk(listener):
    port = listener.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url("{base}/import.css"); @font-face {{ font-family: X; src: url("{base}/font.woff"); }}
             body {{ background: url("{base}/bg.png"); }}</style>
    </head><body>
      <img src="{base}/img.png"><img src="file:///etc/hostname">
      <div style="background-image: url('{base}/inline.png')">inline</div>
      <object data="{base}/object"></object><iframe src="{base}/frame"></iframe>
      <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{base}/svg.png" width="10" height="10"/></svg>
      <a href="{base}/link">a link is written, never fetched</a>
    </body></html>"""
    fetcher = StaticOnlyFetcher()
    rendered = render_pdf(html, created=dt.datetime(2025, 11, 1, tzinfo=dt.UTC), fetcher=fetcher)
    assert rendered.pages == 1
    assert not _connected(listener)
    refused = " ".join(fetcher.refused)
    for name in ("style.css", "import.css", "bg.png", "img.png", "inline.png", "file:///etc/passwd"):
        assert name in refused
