"""`manage.py add_user USERNAME --role ROLE [--org CODE]… --password-stdin` (API.md, Users)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from benefits.errors import DomainError
from benefits.models.choices import Role
from benefits.services.users import add_user


class Command(BaseCommand):
    help = "Create, update or reactivate a user with one role and the trusts they work for; the password is read from stdin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", action="append", default=[], metavar="CODE", help="ODS code of a trust; repeat for several.")
        parser.add_argument("--name", default="", help="Full name shown in the header and the audit trail.")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args, username, role, org, name, email, password_stdin, **options):
        if not password_stdin:
            raise CommandError("Give the password on standard input with --password-stdin (never on the command line).")
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("No password was given on standard input.")
        try:
            user, created = add_user(username=username, role=role, org_codes=org, password=password, full_name=name, email=email)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        orgs = ", ".join(sorted(user.organisations.values_list("code", flat=True))) or "no trust"
        self.stdout.write(f"{'Created' if created else 'Updated'} {username}: {role}, {orgs}.")
