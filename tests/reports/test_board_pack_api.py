"""board-packs/ (API.md): request (202), poll, download (409 until done), and the command line."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command

from benefits import tasks
from benefits.models import BoardPack
from tests.api.conftest import client_for


@pytest.fixture
def kicks(monkeypatch):
    """The tasks the outbox sends once a transaction commits."""
    calls = []
    monkeypatch.setattr("benefits.services.outbox.send", lambda task, kwargs: calls.append(task))
    return calls


def test_an_executive_posts_a_month_and_gets_202_with_the_queued_pack(executive, kicks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(executive).post("/api/v1/board-packs/", {"as_at": "2025-06"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert (body["as_at"], body["status"], body["progress"], body["created_by"]) == ("2025-06", "queued", 0, "exec")
    assert set(body) >= {"id", "error", "pages", "sha256", "size_bytes", "created_at", "finished_at"}
    assert response["Location"].endswith(f"/api/v1/board-packs/{body['id']}/")
    assert kicks == ["benefits.tasks.build_board_pack"]  # sent once the request's work committed, not at beat's next drain


@pytest.mark.parametrize(("who", "status"), [("finance_rye", 403), ("pmo_rye", 403), ("outsider", 403), (None, 401)])
def test_others_may_not_request_a_pack(request, kicks, db, who, status):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).post("/api/v1/board-packs/", {"as_at": "2025-06"}, format="json")
    assert response.status_code == status
    assert not BoardPack.objects.exists() and kicks == []


def test_a_bad_month_is_a_400_naming_as_at(executive, kicks):
    response = client_for(executive).post("/api/v1/board-packs/", {"as_at": "June"}, format="json")
    assert response.status_code == 400
    assert "as_at" in response.json()["errors"]


def test_the_pdf_is_409_until_done_then_the_stored_bytes_as_an_attachment(executive, finance_rye, kicks):
    exec_client = client_for(executive)
    pack_id = exec_client.post("/api/v1/board-packs/", {"as_at": "2025-06"}, format="json").json()["id"]
    waiting = exec_client.get(f"/api/v1/board-packs/{pack_id}/pdf/")
    assert waiting.status_code == 409
    assert "queued" in waiting.json()["message"]

    assert tasks.build_board_pack(board_pack_id=pack_id) == "done"  # the Celery task's body, run here

    reader = client_for(finance_rye)  # every signed-in role may read packs
    detail = reader.get(f"/api/v1/board-packs/{pack_id}/").json()
    assert (detail["status"], detail["progress"]) == ("done", 100)
    download = reader.get(f"/api/v1/board-packs/{pack_id}/pdf/", HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="board-pack-2025-06.pdf"'
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == detail["sha256"]
    assert len(pdf) == detail["size_bytes"]

    listed = reader.get("/api/v1/board-packs/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pack_id
    assert reader.get("/api/v1/board-packs/999999/").status_code == 404
    assert reader.get("/api/v1/board-packs/999999/pdf/").status_code == 404


def test_the_command_builds_a_pack_and_writes_the_same_bytes_it_stored(admin_user, tmp_path, capsys):
    target = tmp_path / "pack.pdf"
    call_command("board_pack", "2025-06", "-o", str(target))
    pack = BoardPack.objects.get()
    assert pack.status == "done" and pack.created_by == admin_user
    assert hashlib.sha256(target.read_bytes()).hexdigest() == pack.sha256
    assert f"sha256 {pack.sha256}" in capsys.readouterr().out
