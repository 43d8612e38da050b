"""`manage.py seed_demo`: realistic, idempotent demo data, written through the services (services/demo.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from benefits.selectors.register import register_size
from benefits.services.demo import CLOSED_THROUGH, seed_demo


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        if not seed_demo():
            self.stdout.write("Demo data is already loaded; users checked.")
            return
        initiatives, entries = register_size()
        self.stdout.write(f"Loaded {initiatives} initiatives, {entries} entries; months up to {CLOSED_THROUGH} closed.")
