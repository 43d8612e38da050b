"""Snapshot tasks and the outbox: idempotent, crash-safe, and sent even when the broker was down."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError as BrokerDown

from benefits import tasks
from benefits.models import AuditEvent, OutboxMessage, RollupSnapshot
from benefits.services import outbox
from benefits.services import snapshots as snapshot_services
from benefits.services.periods import close_period
from benefits.services.snapshots import snapshot_payload
from tests.worked_example import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(admin_user, finance_rye):
    return build(author=admin_user, validator=finance_rye)


class Recorder:
    """Stands in for the broker: remembers what was sent, or refuses while `down`."""

    def __init__(self, *, down: bool = False) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.down = down

    def __call__(self, task: str, kwargs: dict) -> None:
        if self.down:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append((task, kwargs))

    def run_all(self) -> list:
        """Execute what was sent, as a worker would (the same task code, in this process)."""
        return [current_app.tasks[name].apply(kwargs=kwargs).get() for name, kwargs in self.sent]


def test_a_duplicated_snapshot_task_stores_one_snapshot(example):
    kwargs = {"as_at": "2025-06", "trigger": "period_close", "trigger_key": "period_close:2025-06:abc"}
    first = tasks.take_snapshot.apply(kwargs=kwargs).get()
    second = tasks.take_snapshot.apply(kwargs=kwargs).get()
    assert first == second
    assert RollupSnapshot.objects.filter(trigger_key=kwargs["trigger_key"]).count() == 1
    assert AuditEvent.objects.filter(action="benefits.snapshot.taken").count() == 1


def test_closing_a_period_queues_one_snapshot_that_the_drain_sends_once(example, finance_rye):
    close_period(user=finance_rye, period="2025-06")
    assert outbox.pending_count() == 1
    broker = Recorder()
    assert outbox.dispatch_pending(send=broker) == 1
    assert outbox.dispatch_pending(send=broker) == 0  # already dispatched: never sent twice
    [(name, kwargs)] = broker.sent
    assert name == "benefits.tasks.take_snapshot"
    assert kwargs["as_at"] == "2025-06" and kwargs["trigger"] == "period_close"
    broker.sent.append((name, kwargs))  # the broker redelivers it (a worker died before acking)
    ids = broker.run_all()
    assert ids[0] == ids[1]
    snapshot = RollupSnapshot.objects.get()
    assert (snapshot.as_at, snapshot.fy, snapshot.trigger) == ("2025-06", "2025/26", "period_close")
    assert snapshot.payload["rollups"]["none"]["total"]["forecast_fy"] == "167950.00"


def test_a_broker_that_is_down_loses_nothing(example, finance_rye, monkeypatch):
    close_period(user=finance_rye, period="2025-06")
    down = Recorder(down=True)
    assert outbox.dispatch_pending(send=down) == 0
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None and message.attempts == 1
    monkeypatch.setattr(outbox, "send", down)
    assert outbox.send_pending() == 0  # the send after a commit logs and carries on
    back = Recorder()
    monkeypatch.setattr(outbox, "send", back)
    assert tasks.drain_outbox.apply().get() == 1  # beat's next drain sends it
    assert [name for name, _ in back.sent] == ["benefits.tasks.take_snapshot"]
    assert OutboxMessage.objects.get().dispatched_at is not None


def test_sending_after_a_commit_never_raises_even_when_the_database_refuses(monkeypatch):
    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outbox, "dispatch_pending", broken)
    assert outbox.send_pending() == 0


def test_the_nightly_snapshot_is_one_per_night_as_at_the_latest_closed_month(example, finance_rye):
    night = dt.date(2025, 8, 14)
    assert snapshot_services.scheduled_as_at(night) == "2025-07"  # nothing closed: last month
    close_period(user=finance_rye, period="2025-06")
    first = snapshot_services.take_scheduled_snapshot(today=night)
    again = snapshot_services.take_scheduled_snapshot(today=night)
    assert first.pk == again.pk
    assert (first.as_at, first.trigger, first.trigger_key) == ("2025-06", "scheduled", "scheduled:2025-08-14")
    tomorrow = snapshot_services.take_scheduled_snapshot(today=night + dt.timedelta(days=1))
    assert tomorrow.pk != first.pk
    assert tasks.take_scheduled_snapshot.apply().get() == tasks.take_scheduled_snapshot.apply().get()


def test_the_beat_schedule_is_in_the_database_and_names_real_tasks():
    schedule = {p.name: p for p in PeriodicTask.objects.filter(enabled=True)}
    nightly = schedule["Nightly rollup snapshot"]
    assert (nightly.crontab.hour, nightly.crontab.minute, str(nightly.crontab.timezone)) == ("2", "0", "Europe/London")
    drain = schedule["Send queued work (outbox)"]
    assert (drain.interval.every, drain.interval.period) == (10, "seconds")
    for task in schedule.values():
        assert task.task in current_app.tasks, task.task


def test_snapshot_tasks_are_acked_late_and_retry_on_database_and_broker_errors():
    for task in (tasks.take_snapshot, tasks.take_scheduled_snapshot):
        assert task.acks_late and task.reject_on_worker_lost
        assert OperationalError in task.autoretry_for and BrokerDown in task.autoretry_for
        assert task.soft_time_limit < task.time_limit


@pytest.mark.django_db(transaction=True)
def test_a_crash_before_commit_leaves_no_snapshot_and_the_retry_equals_a_fresh_computation(
    reference_data, admin_user, finance_rye, monkeypatch
):
    example = build(author=admin_user, validator=finance_rye)
    real_record = snapshot_services.audit.record
    calls = {"n": 0}

    def crash_once(**kwargs):
        """The snapshot row is written and the figures computed: the worker dies before commit."""
        calls["n"] += 1
        if calls["n"] == 1:
            assert RollupSnapshot.objects.count() == 1  # visible only inside the doomed transaction
            raise OperationalError("terminating connection due to administrator command")
        return real_record(**kwargs)

    monkeypatch.setattr(snapshot_services.audit, "record", crash_once)
    kwargs = {"as_at": "2025-06", "trigger": "manual", "trigger_key": "manual:2025-06:crash"}
    with pytest.raises(OperationalError):
        snapshot_services.take_snapshot(**kwargs)
    assert RollupSnapshot.objects.count() == 0  # nothing half-written

    # Between the crash and the retry the data moves on: June's submitted actual is validated.
    june = example.b1.entries.get(period="2025-06", series="actual")
    from benefits.services.actuals import validate_entries

    validate_entries(user=finance_rye, ids=[june.pk])
    snapshot_id = tasks.take_snapshot.apply(kwargs=kwargs).get()  # the broker redelivers; it succeeds
    snapshot = RollupSnapshot.objects.get()
    assert snapshot.pk == snapshot_id
    assert snapshot.payload == snapshot_payload(as_at="2025-06")
    assert snapshot.payload["rollups"]["none"]["total"]["actual_ytd"] == "35950.00"  # 28,950 + June's 7,000


@pytest.mark.django_db(transaction=True)
def test_a_failing_attempt_is_retried_by_the_task_itself(reference_data, admin_user, finance_rye, monkeypatch):
    build(author=admin_user, validator=finance_rye)
    real_record = snapshot_services.audit.record
    calls = {"n": 0}

    def fail_first(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("could not serialize access")
        return real_record(**kwargs)

    monkeypatch.setattr(snapshot_services.audit, "record", fail_first)
    result = tasks.take_snapshot.apply(kwargs={"as_at": "2025-06", "trigger": "manual", "trigger_key": "manual:retry"})
    assert result.get() == RollupSnapshot.objects.get().pk
    assert calls["n"] == 2
