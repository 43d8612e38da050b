"""`manage.py board_pack YYYY-MM [-o FILE] [--user USERNAME]`: build a board pack now, in this process.

The same service as the API (a stored pack row with its snapshot, sha256 and audit trail), run
synchronously; the outbox message it writes finds the pack done and does nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benefits.errors import DomainError
from benefits.models import User
from benefits.models.choices import JobStatus, Role
from benefits.services import board_packs


class Command(BaseCommand):
    help = "Build the board pack for a month (YYYY-MM) and write the PDF to a file."

    def add_arguments(self, parser):
        parser.add_argument("as_at", metavar="YYYY-MM", help="The month the pack reports, e.g. 2025-10.")
        parser.add_argument("-o", "--output", metavar="FILE", help="Where to write the PDF (default: board-pack-YYYY-MM.pdf).")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Who requests it (an executive or admin; default: the first active admin), for the audit trail.",
        )

    def handle(self, *args, as_at, output, user, **options):
        requester = self._user(user)
        try:
            pack = board_packs.request_board_pack(user=requester, as_at=as_at)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        pack = board_packs.build_board_pack(board_pack_id=pack.pk)
        if pack is None or pack.status != JobStatus.DONE:
            raise CommandError(pack.error if pack else "The board pack disappeared while it was being built.")
        target = Path(output or board_packs.filename(pack))
        with pack.file.open("rb") as stored:
            target.write_bytes(stored.read())
        self.stdout.write(
            f"Board pack {pack.pk} for {pack.as_at}: {pack.pages} pages, {pack.size_bytes} bytes, "
            f"sha256 {pack.sha256}, from snapshot {pack.snapshot_id}; written to {target}."
        )

    def _user(self, username: str | None) -> User:
        if username:
            found = User.objects.filter(username=username, is_active=True).first()
            if found is None:
                raise CommandError(f"There is no active user {username!r}.")
            return found
        found = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
        if found is None:
            raise CommandError("No active admin exists: create one with add_user, or name a user with --user.")
        return found
