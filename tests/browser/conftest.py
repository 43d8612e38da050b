"""Playwright against the live server: Debian's chromium, axe-core on every page, a screenshot of each.

Screenshots are kept under var/screenshots/ (the CI keeps them as artefacts). Board packs are
built in-process by a background thread that runs the board-pack service for queued packs,
so the progress bar moves for real (there is no Celery worker in the test run).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
PASSWORD = "test-password-123"  # tests/factories.UserFactory


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """Checks each page a journey visits: axe-core (no serious or critical violation) and a screenshot."""

    def __init__(self, page, name: str, live_url: str):
        self.page = page
        self.name = name
        self.live_url = live_url
        self.count = 0
        self.console_errors: list[str] = []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def url(self, path: str) -> str:
        return self.live_url + path

    def check(self, label: str) -> None:
        self.count += 1
        page = self.page
        page.wait_for_load_state("networkidle")
        # evaluate() is run by the browser's devtools, so the page's CSP (no inline scripts) still holds for the app
        page.evaluate(AXE.read_text())
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        page.screenshot(path=str(SHOTS / f"{self.name}-{self.count:02d}-{slug}.png"), full_page=True)
        assert not bad, f"axe-core found serious or critical violations on '{label}' ({page.url}): {bad}"
        # nhsuk-frontend's CSS names the Frutiger font on an NHS host; the CSP refuses it by design (Arial is used)
        refused = [e for e in self.console_errors if "Content Security Policy" in e and "assets.nhs.uk/fonts/" not in e]
        assert not refused, f"the CSP refused something on '{label}' ({page.url}): {refused}"


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """A transactional test starts from flushed tables: put back what the data migration seeds."""
    import importlib

    from django.apps import apps

    importlib.import_module("benefits.migrations.0002_seed_reference_data").seed(apps, None)


@pytest.fixture
def visit(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    v = Visit(page, request.node.name.removeprefix("test_"), live_server.url)
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
    yield v
    context.close()


def sign_in(v: Visit, username: str) -> None:
    page = v.page
    page.goto(v.url("/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))


def sign_out(v: Visit) -> None:
    v.page.get_by_role("button", name="Sign out").click()
    v.page.wait_for_url(re.compile(r".*/accounts/login/"))


@pytest.fixture
def pack_builder():
    """A stand-in for the Celery worker: builds queued board packs through the service, in a thread."""
    from django.db import connection

    from benefits.models import BoardPack
    from benefits.models.choices import JobStatus
    from benefits.services import board_packs

    stop = threading.Event()

    def work():
        try:
            while not stop.is_set():
                for pack_id in BoardPack.objects.filter(status=JobStatus.QUEUED).values_list("id", flat=True):
                    board_packs.build_board_pack(board_pack_id=pack_id)
                stop.wait(0.3)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)
