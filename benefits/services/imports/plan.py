"""Planning an import: what the parsed rows would change in the tracker, cell by cell; writes nothing.

The plan is what a dry run shows (created / updated / unchanged, old → new per cell) and what a
commit applies. Every rule a cell must meet is checked here with the tracker's current figures,
and any problem refuses the whole file (ADR 0052). The planner is one class of ~300 lines: its
steps share the lookups it loads once (a constant number of queries for any file size).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from benefits.errors import Unprocessable
from benefits.excel import layout
from benefits.excel.reader import Problem, UnreadableWorkbook
from benefits.finance.calendar import month_name
from benefits.finance.valuation import GBP
from benefits.models import BenefitLine, Entry, Initiative, Organisation, User, Workstream
from benefits.policy import Action, can_on_trusts, require
from benefits.selectors.periods import closed_months

from ..common import entry_change_refusal, user_trust_ids
from ..valuation import Valuer
from .parse import ImportRefused, ParsedRow, read_workbook

EXISTING_BATCH = 1000  # lines whose stored figures the planner reads at a time
MAX_CHANGES = 1000


@dataclass
class RowRef:
    sheet: str
    row: int


@dataclass
class NewInitiative:
    key: tuple
    fields: dict[str, Any]
    organisations: set[int]
    rows: list[RowRef]


@dataclass
class NewLine:
    key: tuple
    initiative_key: tuple
    fields: dict[str, Any]


@dataclass
class Plan:
    """What a file would do. The dry-run body is `as_json()`; the rest is what commit applies."""

    rows: int = 0
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)
    changes_total: int = 0
    new_initiatives: dict[tuple, NewInitiative] = field(default_factory=dict)
    initiative_updates: list[tuple[Initiative, dict[str, Any], set[int] | None]] = field(default_factory=list)
    new_lines: dict[tuple, NewLine] = field(default_factory=dict)
    line_updates: list[tuple[BenefitLine, dict[str, Any]]] = field(default_factory=list)
    entries: list[tuple[tuple, str, str, Decimal]] = field(default_factory=list)

    def note(self, sheet: str, row: int, column: str, old: object, new: object) -> None:
        self.changes_total += 1
        if len(self.changes) < MAX_CHANGES:
            self.changes.append({"sheet": sheet, "row": row, "column": column, "old": old, "new": new})

    def counts(self) -> dict:
        keys = ("initiatives", "benefits", "entries")
        return {
            "created": {k: self.created.get(k, 0) for k in keys},
            "updated": {k: self.updated.get(k, 0) for k in keys},
            "unchanged": self.unchanged,
        }

    def as_json(self, *, dry_run: bool) -> dict:
        return {
            "dry_run": dry_run,
            **self.counts(),
            "rows": self.rows,
            "changes": self.changes,
            "changes_total": self.changes_total,
            "changes_truncated": self.changes_total > len(self.changes),
        }


INITIATIVE_KEYS = ("initiative_title", "workstream", "lead_organisation", "stage", "delivery_confidence")
LINE_KEYS = ("title", "benefit_class", "recurrence", "is_disbenefit", "organisation", "measure", "unit_cost", "attribution_pct")
HEADER_OF = {c.key: c.header for c in layout.FIXED_COLUMNS}


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return layout.yes_no(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


class _Planner:
    """Compares parsed rows with the tracker (a constant number of queries) and builds the plan."""

    def __init__(self, user: User, rows: list[ParsedRow], problems: list[Problem]) -> None:
        self.user = user
        self.rows = rows
        self.problems = problems
        self.plan = Plan(rows=len(rows))
        self.changed_rows: set[tuple[str, int]] = set()

    def problem(self, row: ParsedRow | RowRef, column: str | None, message: str) -> None:
        where = f"Row {row.row}, column '{column}': " if column else f"Row {row.row}: "
        self.problems.append(Problem(f"{where}{message}.", sheet=row.sheet, row=row.row, column=column))

    def build(self) -> Plan:
        rows, plan = self.rows, self.plan
        refs = {r.values["ref"] for r in rows if r.values.get("ref")}
        ids = {r.values["benefit_id"] for r in rows if r.values.get("benefit_id")}
        initiatives = {
            i.ref: i
            for i in Initiative.objects.filter(ref__in=refs)
            .select_related("workstream", "lead_organisation")
            .prefetch_related("organisations")
        }
        lines = {b.pk: b for b in BenefitLine.objects.filter(pk__in=ids).select_related("initiative", "organisation")}
        orgs = {o.code: o for o in Organisation.objects.all()}
        org_by_id = {o.pk: o for o in orgs.values()}
        workstreams = {w.code: w for w in Workstream.objects.all()}
        my_trusts = user_trust_ids(self.user)
        closed = closed_months()

        # 1. group rows by initiative and by line, and check each group agrees with itself
        by_initiative: dict[tuple, list[ParsedRow]] = defaultdict(list)
        line_rows: dict[tuple, list[ParsedRow]] = defaultdict(list)
        line_initiative: dict[tuple, tuple] = {}
        for r in rows:
            v = r.values
            if v["ref"]:
                if v["ref"] not in initiatives:
                    self.problem(r, "Ref", f"there is no initiative '{v['ref']}'; leave Ref blank to create a new one")
                    continue
                ikey: tuple = ("ref", v["ref"])
            else:
                ikey = ("new", v["initiative_title"].casefold())
            if v["benefit_id"]:
                line = lines.get(v["benefit_id"])
                if line is None:
                    self.problem(
                        r, "Benefit id", f"there is no benefit line {v['benefit_id']}; leave it blank to create a new one"
                    )
                    continue
                if ikey != ("ref", line.initiative.ref):
                    self.problem(
                        r, "Benefit id", f"benefit line {line.pk} belongs to {line.initiative.ref}; put that in column 'Ref'"
                    )
                    continue
                lkey: tuple = ("id", line.pk)
            else:
                lkey = ("new", ikey, v["title"].casefold())
            same_sheet = [o for o in line_rows[lkey] if o.sheet == r.sheet]
            if same_sheet:
                what = f"benefit line {lkey[1]}" if lkey[0] == "id" else f"the new benefit line '{v['title']}'"
                self.problem(r, None, f"duplicates row {same_sheet[0].row} ({what} appears twice in this sheet); keep one row")
                continue
            line_rows[lkey].append(r)
            line_initiative[lkey] = ikey
            by_initiative[ikey].append(r)
        self._agree(by_initiative, INITIATIVE_KEYS, "initiative")
        self._agree(line_rows, LINE_KEYS, "benefit line")
        if self.problems:
            return plan

        # 2. initiatives: created or changed, and the trusts each will involve
        line_trusts: dict[tuple, set[int]] = defaultdict(set)
        for lkey, group in line_rows.items():
            v = group[0].values
            org_code = v["organisation"] or v["lead_organisation"]
            line_trusts[line_initiative[lkey]].add(orgs[org_code].pk)
        touched: dict[tuple, bool] = defaultdict(bool)
        trusts_before: dict[tuple, set[int]] = {}
        for ikey, group in by_initiative.items():
            first = group[0]
            v = first.values
            lead = orgs[v["lead_organisation"]]
            wanted = {
                "title": v["initiative_title"],
                "workstream": v["workstream"],
                "lead_organisation": v["lead_organisation"],
                "stage": v["stage"],
                "delivery_confidence": v["delivery_confidence"],
            }
            if ikey[0] == "new":
                trusts = {lead.pk} | line_trusts[ikey]
                trusts_before[ikey] = trusts
                plan.new_initiatives[ikey] = NewInitiative(
                    key=ikey,
                    fields={
                        "title": wanted["title"],
                        "workstream": workstreams[wanted["workstream"]],
                        "lead_organisation": lead,
                        "stage": wanted["stage"],
                        "delivery_confidence": wanted["delivery_confidence"],
                    },
                    organisations=trusts,
                    rows=[RowRef(r.sheet, r.row) for r in group],
                )
                plan.created["initiatives"] += 1
                plan.note(first.sheet, first.row, "Ref", None, f"(new) {wanted['title']}")
                self.changed_rows.update((r.sheet, r.row) for r in group)
                touched[ikey] = True
                continue
            initiative = initiatives[ikey[1]]
            current_trusts = {o.pk for o in initiative.organisations.all()}
            trusts_before[ikey] = current_trusts
            current = {
                "title": initiative.title,
                "workstream": initiative.workstream.code,
                "lead_organisation": initiative.lead_organisation.code,
                "stage": initiative.stage,
                "delivery_confidence": initiative.delivery_confidence,
            }
            changes: dict[str, Any] = {}
            for name, new in wanted.items():
                if current[name] != new:
                    header = HEADER_OF["initiative_title" if name == "title" else name]
                    plan.note(first.sheet, first.row, header, current[name], new)
                    changes[name] = (
                        workstreams[new] if name == "workstream" else orgs[new] if name == "lead_organisation" else new
                    )
            new_trusts = current_trusts | {lead.pk} | line_trusts[ikey]
            if changes or new_trusts != current_trusts:
                plan.initiative_updates.append((initiative, changes, new_trusts if new_trusts != current_trusts else None))
                plan.updated["initiatives"] += 1
                self.changed_rows.add((first.sheet, first.row))
                touched[ikey] = True

        # 3. lines: created or changed
        for lkey, group in line_rows.items():
            first = group[0]
            v = first.values
            ikey = line_initiative[lkey]
            org_code = v["organisation"] or v["lead_organisation"]
            wanted = {
                "title": v["title"],
                "benefit_class": v["benefit_class"],
                "recurrence": v["recurrence"],
                "is_disbenefit": v["is_disbenefit"],
                "organisation": org_code,
                "measure": v["measure"],
                "unit_cost": v["unit_cost"],
                "attribution_pct": v["attribution_pct"],
            }
            if lkey[0] == "new":
                plan.new_lines[lkey] = NewLine(key=lkey, initiative_key=ikey, fields={**wanted, "organisation": orgs[org_code]})
                plan.created["benefits"] += 1
                plan.note(first.sheet, first.row, "Benefit id", None, f"(new) {wanted['title']}")
                self.changed_rows.update((r.sheet, r.row) for r in group)
                touched[ikey] = True
                continue
            line = lines[lkey[1]]
            current = {
                "title": line.title,
                "benefit_class": line.benefit_class,
                "recurrence": line.recurrence,
                "is_disbenefit": line.is_disbenefit,
                "organisation": line.organisation.code,
                "measure": line.measure,
                "unit_cost": line.unit_cost,
                "attribution_pct": line.attribution_pct,
            }
            changes = {}
            for name, new in wanted.items():
                if current[name] != new:
                    plan.note(first.sheet, first.row, HEADER_OF[name], _shown(current[name]), _shown(new))
                    changes[name] = orgs[new] if name == "organisation" else new
            if changes:
                plan.line_updates.append((line, changes))
                plan.updated["benefits"] += 1
                self.changed_rows.add((first.sheet, first.row))
                touched[ikey] = True

        # 4. entries: created or changed; closed months, settled actuals and valuation checked per cell
        existing: dict[tuple[int, str, str], tuple[Decimal, str | None]] = {}
        periods = {column[1] for r in rows for column, _ in r.cells}
        valuer = Valuer({(g[0].values["unit_cost"] or "") for g in line_rows.values()})
        line_keys = list(line_rows)
        for n, (lkey, group) in enumerate(line_rows.items()):
            if n % EXISTING_BATCH == 0:
                # The stored figures of the next batch of lines only: a whole tracker already in
                # holds 720,000 of them, too many to hold at once (memory, ADR 0058).
                batch = [k[1] for k in line_keys[n : n + EXISTING_BATCH] if k[0] == "id"]
                existing = {
                    (benefit_id, period, series): (quantity, status)
                    for benefit_id, period, series, quantity, status in Entry.objects.filter(
                        benefit_id__in=batch, period__in=periods
                    ).values_list("benefit_id", "period", "series", "quantity", "status")
                } if batch and periods else {}
            ikey = line_initiative[lkey]
            v = group[0].values
            probe = BenefitLine(
                measure=v["measure"],
                unit_cost=v["unit_cost"],
                attribution_pct=v["attribution_pct"],
                is_disbenefit=v["is_disbenefit"],
            )
            line_id = lkey[1] if lkey[0] == "id" else None
            for r in group:
                for (header, period, series), quantity in r.cells:
                    old = existing.get((line_id, period, series)) if line_id else None
                    if old is not None and old[0] == quantity:
                        continue
                    refusal = entry_change_refusal(period=period, series=series, status=old[1] if old else None, closed=closed)
                    if refusal is not None:
                        was = f"the tracker has {old[0]:.2f}" if old else "the tracker has nothing"
                        self.problem(r, header, f"{refusal.message.removesuffix('.')} (the file has {quantity:.2f}, {was})")
                        continue
                    try:
                        if probe.measure != GBP:  # GBP lines always have a value; others need a unit cost in force
                            valuer.value(probe, period, quantity)
                    except Unprocessable:
                        self.problem(
                            r,
                            header,
                            f"unit cost '{v['unit_cost']}' has no version in force for {month_name(period)}, so this figure "
                            "cannot be valued; ask finance to add one",
                        )
                        continue
                    plan.entries.append((lkey, period, series, quantity))
                    plan.note(r.sheet, r.row, header, f"{old[0]:.2f}" if old else None, f"{quantity:.2f}")
                    (plan.updated if old else plan.created)["entries"] += 1
                    self.changed_rows.add((r.sheet, r.row))
                    touched[ikey] = True

        # 5. the user must be allowed to write every initiative the file changes (refused whole otherwise)
        for ikey, group in by_initiative.items():
            if not touched[ikey]:
                continue
            if not can_on_trusts(self.user, Action.EDIT_REGISTER, trusts_before[ikey], my_trusts):
                name = ikey[1] if ikey[0] == "ref" else f"the new initiative '{group[0].values['initiative_title']}'"
                trusts = ", ".join(sorted(org_by_id[t].code for t in trusts_before[ikey]))
                for r in group:
                    self.problem(
                        r,
                        "Ref" if ikey[0] == "ref" else "Lead trust",
                        f"you may not change {name}: it involves only {trusts}, none of your trusts",
                    )

        plan.unchanged = sum(1 for r in rows if (r.sheet, r.row) not in self.changed_rows)
        return plan

    def _agree(self, groups: dict[tuple, list[ParsedRow]], keys: tuple[str, ...], what: str) -> None:
        """Rows of one initiative (or one line, across sheets) must carry the same values."""
        for group in groups.values():
            first = group[0]
            for other in group[1:]:
                for key in keys:
                    a, b = first.values.get(key), other.values.get(key)
                    if key == "organisation":
                        a = a or first.values.get("lead_organisation")
                        b = b or other.values.get("lead_organisation")
                    if a != b:
                        self.problem(
                            other,
                            HEADER_OF[key],
                            f"'{_shown(b)}' differs from '{_shown(a)}' in row {first.row} of sheet '{first.sheet}', "
                            f"which is the same {what}; give every row of a {what} the same value",
                        )


def plan_import(*, user: User, data: bytes) -> Plan:
    """Read and check the whole file, and say what it would change; writes nothing."""
    require(user, Action.EDIT_REGISTER, what="import trackers")
    try:
        rows, problems = read_workbook(data)
    except UnreadableWorkbook as exc:
        raise ImportRefused(exc.problems) from None
    if problems:
        raise ImportRefused(problems)
    planner = _Planner(user, rows, problems)
    plan = planner.build()
    if problems:
        raise ImportRefused(problems)
    return plan
