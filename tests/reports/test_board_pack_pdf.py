"""The built board pack, read back from its PDF: one build for the whole module (rendering is slow).

The data is FINANCE.md's worked example plus three initiatives with hostile titles; the build
runs through the real service (snapshot, render, store) while a socket listens for any fetch.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
from decimal import Decimal
from types import SimpleNamespace

import pypdf
import pytest
from django.db import connection, transaction

from benefits.finance.rounding import whole_pounds
from benefits.models import AuditEvent
from benefits.services import board_packs, jobs
from benefits.services.snapshots import take_snapshot
from tests import worked_example
from tests.conftest import ensure_reference_data
from tests.factories import UserFactory, make_initiative, make_line, put

# Marks every test as a database test, which is also what makes pytest-django create the test
# database before the module fixture below runs.
pytestmark = pytest.mark.django_db

SECTIONS = [
    "Benefits realisation report",
    "Executive summary",
    "Trajectories",
    "By organisation",
    "By workstream",
    "Delivery confidence",
    "Pipeline",
    "Exceptions",
    "Movements since May 2025",
    "Appendix: register of counting initiatives",
]


def _listening_socket() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    return server


def _saw_connection(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.fixture(scope="module")
def pack(django_db_setup, django_db_blocker):
    """Build one pack as at June 2025 (with a May snapshot before it) and read everything back."""
    server = _listening_socket()
    port = server.getsockname()[1]
    hostile = {
        "img": f'<img src="http://127.0.0.1:{port}/img">',
        "css": f'<p style="background: url(http://127.0.0.1:{port}/css)">styled</p>',
        "file": '<link rel="stylesheet" href="file:///etc/passwd"> file:///etc/passwd',
    }
    with django_db_blocker.unblock(), transaction.atomic():
        assert connection.settings_dict["NAME"].startswith("test_")
        ensure_reference_data()  # a transactional test before this module may have emptied the tables
        admin = UserFactory(username="pack.admin", first_name="Ada", last_name="Admin", role="admin")
        finance = UserFactory(username="pack.finance", role="finance", orgs=["RYE"])
        executive = UserFactory(username="pack.exec", first_name="Eve", last_name="Exton", role="executive", orgs=["RYE", "RYD"])
        example = worked_example.build(author=admin, validator=finance)
        red = make_initiative(admin, stage="delivery", confidence="red", title=hostile["img"])
        put(admin, make_line(admin, red), "plan", ["2025-04", "2025-05"], "1000.00")
        amber_red = make_initiative(admin, stage="approved", confidence="amber_red", title=hostile["css"])
        idea = make_initiative(admin, stage="idea", confidence="amber", title=hostile["file"])
        put(admin, make_line(admin, idea), "forecast", ["2025-09", "2025-10"], "2500.00")
        previous = take_snapshot(as_at="2025-05")

        progress: list[tuple[int, str]] = []
        real_set_progress = jobs.set_progress  # every step of the build, the runner's start included

        def recording(model, pack_id, value, **fields):
            real_set_progress(model, pack_id, value, **fields)
            row = board_packs.BoardPack.objects.get(pk=pack_id)
            progress.append((row.progress, row.status))

        requested = board_packs.request_board_pack(user=executive, as_at="2025-06")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jobs, "set_progress", recording)
            built = board_packs.build_board_pack(board_pack_id=requested.pk)
        with built.file.open("rb") as f:
            pdf = f.read()
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        result = SimpleNamespace(
            row=built,
            pdf=pdf,
            reader=reader,
            pages=[p.extract_text() for p in reader.pages],
            payload=built.snapshot.payload,
            snapshot=built.snapshot,
            previous_id=previous.pk,
            rerendered_sha256=board_packs.render_snapshot(built.snapshot).sha256,
            progress=progress,
            refs={"red": red.ref, "amber_red": amber_red.ref, "idea": idea.ref, "ag1": example.ag1.ref, "ag2": example.ag2.ref},
            hostile=hostile,
            audit=list(AuditEvent.objects.filter(object_type="board_pack", object_id=str(built.pk)).order_by("id").values_list("action", flat=True)),
        )
        result.saw_connection = _saw_connection(server)
        transaction.set_rollback(True)
    server.close()
    return result


def _text(pack) -> str:
    return "\n".join(pack.pages)


def _section(pack, heading: str, until: str | None) -> str:
    text = _text(pack)
    start = text.index(heading)
    end = text.index(until, start) if until else len(text)
    return text[start:end]


def test_pack_is_done_with_its_file_hash_pages_and_size(pack):
    assert pack.row.status == "done"
    assert pack.row.error == ""
    assert pack.row.sha256 == hashlib.sha256(pack.pdf).hexdigest()
    assert pack.row.size_bytes == len(pack.pdf)
    assert pack.row.pages == len(pack.reader.pages)
    assert pack.row.file.name == f"board-packs/board-pack-2025-06-{pack.row.pk}.pdf"
    assert pack.audit == ["benefits.board_pack.requested", "benefits.board_pack.built"]


def test_progress_goes_from_0_to_100_and_status_ends_done(pack):
    values = [value for value, _ in pack.progress]
    assert values[0] == 0 and pack.progress[0][1] == "running"
    assert values == sorted(values) and len(set(values)) >= 5
    assert pack.row.progress == 100 and pack.row.status == "done" and pack.row.finished_at is not None


def test_cover_names_the_month_and_every_target_shows_the_snapshot_figures_in_whole_pounds(pack):
    assert "June 2025" in pack.pages[0]
    summary = _section(pack, "Executive summary", "Trajectories")
    assert len(pack.payload["targets"]) == 2
    for target in pack.payload["targets"]:
        assert target["name"] in summary
        for key in ("amount_gbp", "achieved", "forecast", "risk_adjusted"):
            assert whole_pounds(Decimal(target[key])) in summary, (target["name"], key)
        assert f"{target['pct_risk_adjusted']}%" in summary
        words = "On track" if target["on_track"] else "Off track"
        assert f"{target['name']}. {words}:" in summary
    # FINANCE.md's worked example: the wider-benefits target has £12,450 validated (B2 only).
    assert "£12,450" in summary


def test_organisation_and_workstream_tables_show_the_snapshot_rows_and_totals(pack):
    for grouping, heading, until in (("organisation", "By organisation", "By workstream"), ("workstream", "By workstream", "Delivery confidence")):
        table = _section(pack, heading, until)
        rollup = pack.payload["rollups"][grouping]
        for key in ("plan_ytd", "actual_ytd", "forecast_fy", "risk_adjusted_fy"):
            assert whole_pounds(Decimal(rollup["total"][key])) in table
        total_line = next(line for line in table.splitlines() if line.startswith("Total"))
        assert whole_pounds(Decimal(rollup["total"]["forecast_fy"])) in total_line
    assert "£167,950" in _section(pack, "By organisation", "By workstream")  # FINANCE.md forecast_fy total


def test_every_section_is_present_in_order_and_every_page_is_marked(pack):
    text = _text(pack)
    positions = [text.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    total = len(pack.pages)
    assert total >= len(SECTIONS) - 2
    for number, page in enumerate(pack.pages, start=1):
        assert "OFFICIAL" in page
        assert f"Page {number} of {total}" in page
        assert f"rollup snapshot {pack.snapshot.pk}, taken" in page


def test_charts_are_vector_graphics_one_per_target(pack):
    images = []
    for page in pack.reader.pages:
        xobjects = page["/Resources"].get("/XObject")
        for ref in (xobjects.get_object().values() if xobjects else []):
            if ref.get_object().get("/Subtype") == "/Image":
                images.append(ref)
    assert images == []
    chart_pages = [i for i, text in enumerate(pack.pages) if "Validated actual" in text and "Forecast outturn" in text and "Target" in text]
    legends = sum(pack.pages[i].count("Validated actual Forecast outturn") for i in chart_pages)
    assert legends == len(pack.payload["targets"])
    for i in chart_pages:  # drawn with path operators (moveto/lineto), not pictures
        stream = pack.reader.pages[i].get_contents().get_data()
        assert stream.count(b" l\n") > 20


def test_two_builds_of_one_snapshot_are_byte_identical_and_dated_by_the_snapshot(pack):
    assert pack.rerendered_sha256 == pack.row.sha256
    taken = pack.snapshot.taken_at.astimezone(__import__("datetime").UTC)
    assert pack.reader.metadata["/CreationDate"] == f"D:{taken:%Y%m%d%H%M%S}Z"
    assert pack.reader.metadata["/ModDate"] == pack.reader.metadata["/CreationDate"]


def test_hostile_titles_are_printed_as_text_and_fetch_nothing(pack):
    assert pack.saw_connection is False
    text = re.sub(r"\s+", " ", _text(pack))
    assert pack.hostile["img"][:30] in text  # the markup is shown, not obeyed
    assert "root:" not in text


def test_exceptions_list_behind_plan_and_red_or_amber_red_initiatives_with_owner(pack):
    section = _section(pack, "Exceptions", "Movements since")
    assert "4 in all" in section
    lines = {line.split()[0]: line for line in section.splitlines() if line.startswith("AG-")}
    assert set(lines) == {pack.refs["ag1"], pack.refs["ag2"], pack.refs["red"], pack.refs["amber_red"]}
    ag1 = lines[pack.refs["ag1"]]
    assert "Ada Admin" in ag1 and "41.7%" in ag1  # £17,500 of £30,000 planned
    assert "Red" in lines[pack.refs["red"]] and "100.0%" in lines[pack.refs["red"]]
    assert "Amber/red" in lines[pack.refs["amber_red"]]


def test_movements_compare_with_the_previous_months_snapshot_by_workstream(pack):
    section = _section(pack, "Movements since May 2025", "Appendix")
    assert f"rollup snapshot {pack.previous_id}," in section
    assert "Joint procurement" in section and "Total" in section


def test_pipeline_and_appendix_split_idea_from_counting_initiatives(pack):
    pipeline = _section(pack, "Pipeline", "Exceptions")
    assert pack.refs["idea"] in pipeline and "£5,000" in pipeline
    appendix = _section(pack, "Appendix: register of counting initiatives", None)
    assert "4 initiatives that count" in appendix
    assert pack.refs["idea"] not in appendix
    total = pack.payload["rollups"]["none"]["total"]
    assert f"forecast outturn {whole_pounds(Decimal(total['forecast_fy']))}" in appendix
    assert f"risk-adjusted {whole_pounds(Decimal(total['risk_adjusted_fy']))}" in appendix


def test_delivery_confidence_counts_initiatives_by_rag(pack):
    section = _section(pack, "Delivery confidence", "Pipeline")
    assert re.search(r"Green 1 £60,450", section)
    assert re.search(r"Red 1 £0", section)
    assert re.search(r"Total 4 £167,950 £136,450", section)
