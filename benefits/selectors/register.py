"""The register's filters, in one place: the register page and its Excel export apply the same ones.

A background export records the filters the user had on the page and applies them again in the
worker, so the file holds exactly the initiatives the page listed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from benefits.models import Initiative, Organisation, Workstream

FILTERS = ("workstream", "trust", "stage", "confidence", "search")


def filter_register(
    initiatives: QuerySet[Initiative],
    *,
    workstream: str = "",
    trust: str = "",
    stage: str = "",
    confidence: str = "",
    search: str = "",
) -> QuerySet[Initiative]:
    """The register page's filters: workstream code, a trust involved, stage, delivery confidence, words."""
    if workstream:
        initiatives = initiatives.filter(workstream__code=workstream)
    if trust:
        initiatives = initiatives.filter(organisations__code=trust)
    if stage:
        initiatives = initiatives.filter(stage=stage)
    if confidence:
        initiatives = initiatives.filter(delivery_confidence=confidence)
    if search:
        initiatives = initiatives.filter(Q(title__icontains=search) | Q(ref__iexact=search) | Q(description__icontains=search))
    return initiatives


def workstream_choices() -> list[tuple[str, str]]:
    """(code, name) of every workstream in code order, for the filters of the register and the queue."""
    return list(Workstream.objects.values_list("code", "name"))


def trust_choices() -> list[tuple[str, str]]:
    """(code, name) of every trust in code order, likewise."""
    return list(Organisation.objects.values_list("code", "name"))
