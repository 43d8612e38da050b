"""Sessions that load their user and the user's trusts in the same query as themselves (ADR 0045).

Every signed-in page used to start with three queries before it showed anything: the session,
the user, and the user's trusts for the header and the scoping rules. `SessionStore` reads its
row joined to the user, with the trusts as two arrays, and keeps the user; `SessionUserBackend`
hands that user to Django's `auth.get_user`, which still does every check of its own (the
backend named in the session, the session's password hash, `is_active`). The backend reaches the
request's session through a context variable that `AuthenticationMiddleware` sets for the
duration of the request only; outside it (or for any mismatch) the backend queries as Django's does.
"""

from __future__ import annotations

import functools
import types
from contextvars import ContextVar

import psycopg
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone

_request_session: ContextVar[SessionStore | None] = ContextVar("benefits_request_session", default=None)


class SessionStore(DatabaseSessionStore):
    """The database session store of Django, on `UserSession`, with the user loaded alongside."""

    user = None  # the signed-in user as read with the session row, their trusts attached

    @classmethod
    def get_model_class(cls):
        from benefits.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        """Every save names the user the data signs in (none for an anonymous session)."""
        row = super().create_model_instance(data)
        user_pk = data.get(SESSION_KEY)
        row.user_id = int(user_pk) if user_pk is not None and str(user_pk).isdigit() else None
        return row

    def _get_session_from_db(self):
        self.user = None
        if not self.session_key:
            return None
        user_model = get_user_model()
        database = router.db_for_read(self.model)
        with _prepared_cursor(connections[database]) as cursor:
            cursor.execute(_load_sql(self.model, user_model), [self.session_key, timezone.now()])
            found = cursor.fetchone()
        if found is None:  # unknown or expired: a new session, as Django's own store makes
            self._session_key = None
            return None
        session_data, expire_date, trust_ids, trust_codes, *user_values = found
        row = self.model(session_key=self.session_key, session_data=session_data, expire_date=expire_date)
        if user_values[0] is not None:
            user = user_model.from_db(database, _attnames(user_model), user_values)
            user._trust_ids = set(trust_ids or ())  # what services.common.user_trust_ids would query
            user._trust_codes = list(trust_codes or ())
            row.user = self.user = user
        return row

    def decode(self, session_data):
        """Django's decoding, whose signature check runs once for each distinct signed value.

        Checking the signature (a key derivation and an HMAC) cost more of a page than anything
        else in reading its session but the query. The cache is keyed by the whole signed value,
        so only a value verified before is trusted again; a session that changes is a new value.
        A value that does not verify is not kept: Django logs it and it reads as empty, each time.
        """
        try:
            return self.serializer().loads(_verified(session_data, type(self)))
        except _Unverified:
            return {}


class _Unverified(Exception):
    pass


@functools.lru_cache(maxsize=4096)
def _verified(session_data: str, store_class: type[SessionStore]) -> bytes:
    """The serialized data of a signed session value that verified (its signature, then its content)."""
    store = store_class()
    data = super(store_class, store).decode(session_data)  # Django's own check, not the cache again
    if not data:
        raise _Unverified
    return store.serializer().dumps(data)


@receiver(setting_changed)
def _forget_verified(*, setting: str, **kwargs) -> None:
    """A new secret key may no longer verify what the old one did (tests rotate keys)."""
    if setting.startswith("SECRET_KEY") or setting.startswith("SESSION_"):
        _verified.cache_clear()


class _PreparingCursor:
    """A server-side binding psycopg cursor whose statements are prepared once per connection."""

    def __init__(self, connection) -> None:
        self._connection = connection
        self._cursor = psycopg.Cursor(connection.connection)
        self._statement: tuple[str, list] = ("", [])

    def execute(self, sql, params=None):
        self._statement = (sql, params)
        return self._cursor.execute(sql, params, prepare=True)

    @property
    def _query(self):
        """What Django's query log reads (`ops.last_executed_query`): the statement with its values."""
        return types.SimpleNamespace(query=self._connection.ops.compose_sql(*self._statement).encode())

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def _prepared_cursor(connection):
    """Django's cursor wrapper (logged, counted, execute wrappers) around a preparing cursor.

    Parsing and planning the session statement cost ~0.4 ms, twice its running time. Django's own
    cursors bind client-side and never prepare; `prepare_threshold` in the database OPTIONS turns
    this one on (settings: DJANGO_DB_PREPARED_STATEMENTS, off behind a transaction pooler).
    """
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _PreparingCursor(connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


@functools.cache
def _attnames(user_model) -> list[str]:
    return [f.attname for f in user_model._meta.concrete_fields]


@functools.cache
def _load_sql(session_model, user_model) -> str:
    """The session row, its user's columns and the user's trusts (ids and codes in code order) in one statement.

    Written as SQL, not as a queryset: compiling the equivalent queryset (a join and two array
    subqueries) cost more on each page than running it.
    """
    qn = connections[router.db_for_read(session_model)].ops.quote_name
    users = user_model._meta
    through = users.get_field("organisations").remote_field.through._meta
    organisations = users.get_field("organisations").related_model._meta
    user_columns = ", ".join(f"u.{qn(f.column)}" for f in users.concrete_fields)
    return f"""
        SELECT s.session_data, s.expire_date, t.ids, t.codes, {user_columns}
        FROM {qn(session_model._meta.db_table)} s
        LEFT JOIN {qn(users.db_table)} u ON u.{qn(users.pk.column)} = s.user_id
        LEFT JOIN LATERAL (
            SELECT array_agg(o.id ORDER BY o.code) AS ids, array_agg(o.code ORDER BY o.code) AS codes
            FROM {qn(through.db_table)} m JOIN {qn(organisations.db_table)} o ON o.id = m.organisation_id
            WHERE m.user_id = s.user_id
        ) t ON true
        WHERE s.session_key = %s AND s.expire_date > %s
    """


class SessionUserBackend(ModelBackend):
    """Django's model backend, which takes the user already read with this request's session."""

    def get_user(self, user_id):
        session = _request_session.get()
        user = getattr(session, "user", None)
        if user is not None and str(user.pk) == str(user_id):
            return user if self.user_can_authenticate(user) else None
        return super().get_user(user_id)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with this request's session visible to `SessionUserBackend` while the request runs."""

    def __call__(self, request):
        token = _request_session.set(getattr(request, "session", None))
        try:
            return super().__call__(request)
        finally:
            _request_session.reset(token)
