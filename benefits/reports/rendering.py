"""HTML → PDF with WeasyPrint, locked down and reproducible (ADR 0030, ADR 0034).

- The url fetcher serves only files under `static/reports/`, where the pack's stylesheet lives
  (handed to WeasyPrint already parsed, so a pack normally fetches nothing): no network, no
  redirects, no `data:`, no `file:` outside that folder. Anything else is refused before a
  socket or a file is opened, so hostile text that somehow became markup fetches nothing.
- The PDF's dates come from the snapshot (`created`) and nothing random is written (no file
  identifier: pydyf would serialise and compress every object a second time to hash it), so the
  same HTML gives the same bytes every time (ADR 0034).
- Where HarfBuzz-Subset is missing, WeasyPrint subsets fonts with fontTools, which stamps each
  embedded font with the current time; the render sets SOURCE_DATE_EPOCH (the reproducible-builds
  variable fontTools reads) to the pack's `created` time, so that path is reproducible too.
- Each worker thread keeps one WeasyPrint font configuration and the parsed print stylesheet
  between packs, so the fonts are loaded and the CSS parsed once rather than for every pack
  (ADR 0036). The PDF does not depend on it: each document embeds only the glyphs it uses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.template import engines
from weasyprint.text.fonts import FontConfiguration

log = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; a worker's log wants only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

REPORTS_STATIC = Path(settings.BASE_DIR) / "static" / "reports"
STYLESHEET = REPORTS_STATIC / "board_pack.css"
_thread = threading.local()  # WeasyPrint font objects are not made for concurrent use
_environ_lock = threading.Lock()  # SOURCE_DATE_EPOCH is one per process


class FetchRefused(ValueError):
    """A resource outside the pack's static folder was asked for; WeasyPrint skips it."""


class StaticOnlyFetcher(weasyprint.URLFetcher):
    """Serves `file:` URLs inside one folder and refuses everything else without opening it."""

    def __init__(self, root: Path = REPORTS_STATIC) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> weasyprint.urls.URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" and parts.netloc in ("", "localhost") else None
        if path is None or not path.is_relative_to(self.root) or not path.is_file():
            self.refused.append(url)
            log.info("board pack: refused to fetch %s", url[:200])
            raise FetchRefused(f"refused to fetch {url[:200]!r}: only the pack's own static files are served")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return weasyprint.urls.URLFetcherResponse(url=path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type})


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def _font_config() -> FontConfiguration:
    """This thread's font configuration, made once: a new one per pack loads every font again."""
    config = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config


def _stylesheet() -> weasyprint.CSS:
    """The pack's print stylesheet, parsed once per thread and again only when the file changes."""
    stamp = STYLESHEET.stat().st_mtime_ns
    cached = getattr(_thread, "stylesheet", None)
    if cached is None or cached[0] != stamp:
        cached = _thread.stylesheet = (stamp, weasyprint.CSS(filename=str(STYLESHEET), url_fetcher=StaticOnlyFetcher(), font_config=_font_config()))
    return cached[1]


@contextlib.contextmanager
def _source_date(created: dt.datetime):
    """Fonts subset by fontTools carry `created`, not the time of writing (as HarfBuzz's carry the font's own)."""
    with _environ_lock:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(created.timestamp()))
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def render_html(template: str, context: dict) -> str:
    """Django templates (autoescaping on), asked for by engine name: the pages use Jinja2."""
    return engines["django"].get_template(template).render(context)


def render_pdf(
    html: str,
    *,
    created: dt.datetime,
    fetcher: StaticOnlyFetcher | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> RenderedPdf:
    """Lay out `html` with the pack's stylesheet and write the PDF once; `created` becomes both metadata dates."""
    fetcher = fetcher or StaticOnlyFetcher()
    base_url = REPORTS_STATIC.resolve().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[_stylesheet()], font_config=_font_config()
    )
    if on_progress:
        on_progress("laid out")
    stamp = created.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    document.metadata.created = stamp
    document.metadata.modified = stamp
    with _source_date(created):
        pdf = document.write_pdf()
    if on_progress:
        on_progress("written")
    return RenderedPdf(pdf=pdf, pages=len(document.pages))
