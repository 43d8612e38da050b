"""Demo data (`manage.py seed_demo`, `make run`): a realistic Group written through the services.

Seven workstreams from the case for change, 32 initiatives of both trusts and joint ones, profiles
for 2025/26 to 2027/28, actuals validated up to a closed month, some submitted for finance to
validate, one sent back, two month-end snapshots, and demo users for each role. Loaded in one
transaction: a failure leaves no half-loaded demo.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from benefits.finance.calendar import FinancialYear, add_months
from benefits.finance.rounding import round_half_up
from benefits.models import AuditEvent, Entry, Organisation, UnitCost, User, Workstream
from benefits.models.choices import SnapshotTrigger

from . import actuals as actual_services
from . import audit
from . import benefit_lines as line_services
from . import bulk as bulk_services
from . import periods as period_services
from . import reference as reference_services
from . import register as register_services
from . import snapshots as snapshot_services
from .users import add_user

SEEDED = "benefits.demo.seeded"

DEMO_PASSWORD = "demo-password-2025"
USERS = [
    ("pmo.rye", "programme_office", ["RYE"], "Priya Patel"),
    ("pmo.ryd", "programme_office", ["RYD"], "Daniel Davies"),
    ("finance.rye", "finance", ["RYE"], "Fiona Reid"),
    ("finance.ryd", "finance", ["RYD"], "Frank Doyle"),
    ("exec", "executive", ["RYE", "RYD"], "Eleanor Exton"),
    ("admin", "admin", ["RYE", "RYD"], "Adam Administrator"),
]
WORKSTREAMS = [
    ("PROC", "Joint procurement", "Director of Finance (SCAS)"),
    ("CORP", "Corporate services", "Chief People Officer (SECAmb)"),
    ("FLEET", "Fleet and make-ready", "Director of Operations (SCAS)"),
    ("CLIN", "Clinical model and deployment", "Chief Medical Officer (SECAmb)"),
    ("HTHC", "Hear-and-treat and hospital-to-community", "Director of Integrated Care (SCAS)"),
    ("EST", "Estates", "Director of Estates (SECAmb)"),
    ("DIG", "Digital", "Chief Digital Officer (Group)"),
]
UNIT_COSTS = [
    ("conveyance_avoided", "Conveyance to ED avoided", "conveyances", "285.00"),
    ("ed_attendance_avoided", "ED attendance avoided", "ed_attendances", "212.00"),
    ("bed_day_saved", "Acute bed day saved", "bed_days", "395.00"),
    ("clinician_hour", "Clinician hour released", "hours", "48.50"),
]
UNIT_COST_SOURCE = "Demo figure modelled on the National Cost Collection; finance to replace with its sourced value."
# (workstream, title, lead, joint, stage, confidence, lines) — a line is (class, recurrence, measure, monthly plan)
SCHEMES = [
    ("PROC", "Joint medical consumables contract", "RYE", True, "realising", "green", [("cashable", "recurrent", "GBP", 42000)]),
    ("PROC", "Single fuel card and bunkering contract", "RYD", True, "delivery", "amber_green", [("cashable", "recurrent", "GBP", 31000)]),
    ("PROC", "Shared defibrillator maintenance", "RYE", True, "realising", "green", [("cashable", "recurrent", "GBP", 9500)]),
    ("PROC", "Uniform and PPE framework", "RYD", True, "approved", "amber", [("cashable", "recurrent", "GBP", 12000)]),
    ("PROC", "Joint drugs and medical gases tender", "RYE", True, "business_case", "amber", [("cashable", "recurrent", "GBP", 18000)]),
    ("CORP", "Single payroll and pensions service", "RYD", True, "delivery", "amber", [("cashable", "recurrent", "GBP", 55000)]),
    ("CORP", "Joint finance transactional services", "RYE", True, "delivery", "amber_red", [("cashable", "recurrent", "GBP", 38000)]),
    ("CORP", "Shared recruitment and onboarding", "RYD", True, "approved", "amber_green", [("cashable", "recurrent", "GBP", 14000), ("non_cashable", "recurrent", "hours", 600)]),
    ("CORP", "Group legal and governance service", "RYE", True, "idea", "amber", [("cashable", "recurrent", "GBP", 8000)]),
    ("FLEET", "Standard double-crewed ambulance specification", "RYE", True, "realising", "green", [("cashable", "recurrent", "GBP", 47000)]),
    ("FLEET", "Make-ready hub consolidation (Hampshire)", "RYE", False, "delivery", "amber", [("cashable", "recurrent", "GBP", 26000), ("non_cashable", "recurrent", "hours", 900)]),
    ("FLEET", "Make-ready hub consolidation (Kent)", "RYD", False, "delivery", "amber_red", [("cashable", "recurrent", "GBP", 22000)]),
    ("FLEET", "Joint tyre and parts stockholding", "RYD", True, "realising", "amber_green", [("cashable", "non_recurrent", "GBP", 15000)]),
    ("FLEET", "Electric rapid response vehicles", "RYE", False, "business_case", "red", [("cashable", "recurrent", "GBP", 11000), ("cashable", "recurrent", "GBP", 4000, True)]),
    ("CLIN", "Aligned clinical model for Category 2", "RYD", True, "delivery", "amber", [("societal", "non_recurrent", "conveyances", 220)]),
    ("CLIN", "Specialist paramedic deployment at scale", "RYE", False, "delivery", "amber_green", [("societal", "non_recurrent", "conveyances", 180), ("non_cashable", "recurrent", "bed_days", 60)]),
    ("CLIN", "Falls response cars", "RYD", False, "realising", "green", [("societal", "non_recurrent", "conveyances", 140)]),
    ("CLIN", "Mental health response vehicles", "RYE", True, "approved", "amber", [("societal", "non_recurrent", "ed_attendances", 120)]),
    ("CLIN", "Single clinical audit and quality function", "RYD", True, "idea", "amber", [("non_cashable", "recurrent", "hours", 400)]),
    ("HTHC", "Joint clinical assessment service", "RYE", True, "realising", "amber_green", [("societal", "non_recurrent", "conveyances", 420), ("non_cashable", "recurrent", "ed_attendances", 300)]),
    ("HTHC", "Hear-and-treat rate to 20%", "RYD", False, "delivery", "amber", [("societal", "non_recurrent", "conveyances", 360)]),
    ("HTHC", "Urgent community response referrals", "RYE", False, "delivery", "amber_red", [("societal", "non_recurrent", "ed_attendances", 260)]),
    ("HTHC", "Same-day emergency care direct access", "RYD", True, "approved", "amber", [("societal", "non_recurrent", "bed_days", 90)]),
    ("HTHC", "Care home telemedicine support", "RYE", True, "cancelled", "red", [("societal", "non_recurrent", "conveyances", 80)]),
    ("EST", "Shared ambulance station in Sussex border", "RYD", True, "business_case", "amber", [("cashable", "recurrent", "GBP", 17000)]),
    ("EST", "Headquarters co-location", "RYE", True, "approved", "amber_red", [("cashable", "recurrent", "GBP", 29000), ("cashable", "non_recurrent", "GBP", 6000, True)]),
    ("EST", "Energy efficiency retrofit", "RYD", False, "delivery", "green", [("cashable", "recurrent", "GBP", 7500)]),
    ("EST", "Joint estates maintenance contract", "RYE", True, "idea", "amber", [("cashable", "recurrent", "GBP", 10000)]),
    ("DIG", "Single computer-aided dispatch platform", "RYD", True, "delivery", "amber_red", [("cashable", "recurrent", "GBP", 34000), ("non_cashable", "recurrent", "hours", 1200)]),
    ("DIG", "Shared electronic patient record", "RYE", True, "delivery", "amber", [("non_cashable", "recurrent", "hours", 1500)]),
    ("DIG", "Converged IT infrastructure and licences", "RYD", True, "realising", "green", [("cashable", "recurrent", "GBP", 24000)]),
    ("DIG", "Robotic process automation in finance", "RYE", False, "approved", "amber_green", [("cashable", "recurrent", "GBP", 6500), ("non_cashable", "recurrent", "hours", 350)]),
]
MEASURE_COST = {"conveyances": "conveyance_avoided", "ed_attendances": "ed_attendance_avoided", "bed_days": "bed_day_saved", "hours": "clinician_hour"}
# Per cent of plan that forecasts and actuals land within, by delivery confidence.
DELIVERY_PCT = {"green": (95, 108), "amber_green": (85, 100), "amber": (70, 95), "amber_red": (50, 80), "red": (20, 50)}
FIRST_FY = FinancialYear(2025)
SECOND_FY = FinancialYear(2026)
THIRD_FY = FinancialYear(2027)  # plans and forecasts run to March 2028, the cashable target's end
CLOSED_THROUGH = "2026-09"  # finance has closed every month up to here
SUBMITTED_MONTH = "2026-10"  # actuals awaiting validation


def demo_users() -> dict[str, User]:
    """The demo users, created if missing (a second run changes nothing)."""
    users = {}
    for username, role, orgs, name in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = add_user(username=username, role=role, org_codes=orgs, password=DEMO_PASSWORD, full_name=name, check_password=False)
        users[username] = user
    return users


def seed_demo() -> bool:
    """Load the demo data once, all or nothing; False when it is loaded already."""
    users = demo_users()
    if AuditEvent.objects.filter(action=SEEDED).exists():
        return False
    with transaction.atomic():
        _load(users)
        audit.record(user=None, system="seed_demo", action=SEEDED, object_type="demo", object_id="1")
    return True


def _load(users: dict[str, User]) -> None:
    rng = random.Random(2025)
    orgs = {o.code: o for o in Organisation.objects.all()}
    for code, name, sro in WORKSTREAMS:
        if not Workstream.objects.filter(code=code).exists():
            register_services.create_workstream(user=users["pmo.rye"], code=code, name=name, sro=sro)
    workstreams = {w.code: w for w in Workstream.objects.all()}
    for code, name, unit, value in UNIT_COSTS:
        if not UnitCost.objects.filter(code=code).exists():
            reference_services.create_unit_cost(user=users["finance.rye"], fields={
                "code": code, "name": name, "unit": unit, "value_gbp": Decimal(value), "valid_from": "2025-04",
                "source": UNIT_COST_SOURCE})
    actuals_by_author: dict[str, list[int]] = {"pmo.rye": [], "pmo.ryd": []}
    months = FIRST_FY.periods + SECOND_FY.periods + THIRD_FY.periods
    for ws, title, lead, joint, stage, confidence, lines in SCHEMES:
        author = users["pmo.rye" if lead == "RYE" else "pmo.ryd"]
        start = months[rng.randrange(0, 6)]
        initiative = register_services.create_initiative(
            user=author,
            fields={"title": title, "workstream": workstreams[ws], "lead_organisation": orgs[lead], "stage": stage,
                    "delivery_confidence": confidence, "description": f"{title}: a joint planning scheme of the Ambulance Group.",
                    "qia_status": "approved" if stage in ("delivery", "realising") else "in_progress",
                    "eia_status": "approved" if stage in ("delivery", "realising") else "not_started",
                    "investment_one_off_gbp": Decimal(rng.randrange(0, 400) * 1000)},
            organisations=[orgs["RYE"], orgs["RYD"]] if joint else [orgs[lead]],
        )
        rows: list[bulk_services.BulkRow] = []
        low, high = DELIVERY_PCT[confidence]
        for n, spec in enumerate(lines):
            benefit_class, recurrence, measure, monthly, *rest = spec
            disbenefit = bool(rest and rest[0])
            line_org = orgs[lead] if not joint or n % 2 == 0 else orgs["RYD" if lead == "RYE" else "RYE"]
            line = line_services.create_benefit(user=author, initiative=initiative, fields={
                "title": ("Running cost of " if disbenefit else "") + _line_title(measure, benefit_class, title),
                "benefit_class": benefit_class, "recurrence": recurrence, "is_disbenefit": disbenefit,
                "organisation": line_org, "measure": measure, "unit_cost": MEASURE_COST.get(measure, ""),
                "attribution_pct": Decimal("100") if measure == "GBP" else Decimal(rng.choice(["60", "75", "100"])),
            })
            for i, month in enumerate(months):
                if month < start:
                    continue
                ramp = min(Decimal(1), Decimal(i + 1 - months.index(start)) / 6)
                plan = _q(monthly * ramp, measure)
                forecast = _q(monthly * ramp * rng.randint(low, high) / 100, measure)
                rows.append(bulk_services.BulkRow(line.pk, month, "plan", plan))
                if stage == "idea":
                    if month >= "2026-04":
                        rows.append(bulk_services.BulkRow(line.pk, month, "forecast", forecast))
                    continue
                rows.append(bulk_services.BulkRow(line.pk, month, "forecast", forecast))
                if month <= SUBMITTED_MONTH and stage not in ("business_case",):
                    actual = _q(monthly * ramp * rng.randint(low - 5, high) / 100, measure)
                    rows.append(bulk_services.BulkRow(line.pk, month, "actual", actual))
        bulk_services.bulk_upsert_entries(user=author, rows=rows)
        ids = list(Entry.objects.filter(benefit__initiative=initiative, series="actual").values_list("id", flat=True))
        actuals_by_author[author.username] += ids
    for author, ids in actuals_by_author.items():
        actual_services.submit_entries(user=users[author], ids=ids)
    validator = {"pmo.rye": users["finance.ryd"], "pmo.ryd": users["finance.rye"]}
    for author, ids in actuals_by_author.items():
        settled = list(Entry.objects.filter(pk__in=ids, period__lte=CLOSED_THROUGH).values_list("id", flat=True))
        actual_services.validate_entries(user=validator[author], ids=settled)
    pending = Entry.objects.filter(series="actual", status="submitted").order_by("id").first()
    if pending is not None:
        actual_services.reject_entry(user=users["finance.rye"] if pending.updated_by.username == "pmo.ryd" else users["finance.ryd"],
                                    entry=pending, reason="Please attach the invoice evidence for this month's saving.")
    for month in (FIRST_FY.last, CLOSED_THROUGH):
        period_services.close_period(user=users["finance.rye"], period=month, reason="Month-end close (demo data).")
    # Two month-end snapshots, so the dashboard and board pack have figures and movements at once.
    for as_at in (add_months(CLOSED_THROUGH, -1), CLOSED_THROUGH):
        snapshot_services.take_snapshot(as_at=as_at, trigger=SnapshotTrigger.MANUAL, trigger_key=f"seed_demo:{as_at}")



def _q(value: Decimal, measure: str) -> Decimal:
    """Whole units for counts, pounds and pence for money, rounded half-up."""
    return round_half_up(value, Decimal("1") if measure != "GBP" else Decimal("0.01"))


def _line_title(measure: str, benefit_class: str, title: str) -> str:
    return {
        "GBP": "Cash releasing saving" if benefit_class == "cashable" else "Cost avoided",
        "conveyances": "Conveyances to ED avoided",
        "ed_attendances": "ED attendances avoided",
        "bed_days": "Acute bed days saved",
        "hours": "Clinician hours released",
    }[measure]
