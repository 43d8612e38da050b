"""Signed-in sessions that name their user (ADR 0045)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    """Django's session row plus the user it signs in, so one query loads both on every page.

    The column is kept by `benefits.sessions.SessionStore` from the session's own data on each
    save; it also lets a user's sessions be found (and ended) without decoding every row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")

    class Meta(AbstractBaseSession.Meta):
        db_table = "benefits_usersession"

    @classmethod
    def get_session_store_class(cls):
        from benefits.sessions import SessionStore

        return SessionStore
