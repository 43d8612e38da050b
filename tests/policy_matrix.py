"""The authorisation table (API.md, "Who may do what"): every API endpoint × every member of the cast.

Columns (roles of the cast; "own"/"other" is the programme office of the trust that does / does not
take part in the initiative under test, which involves RYE only):
    anon      no credentials                          → 401 everywhere (except signing in)
    outsider  signed in, no role                      → 403 everywhere
    pmo_own   programme office, RYE
    pmo_other programme office, RYD
    finance   finance, RYE (entered none of the figures)
    executive executive
    admin     administrator

Each row: (name, method, path, body, {role: status}); roles not named get `default` (403; anon 401).
Paths and bodies may name objects of the world built by tests/api/test_policy_matrix.py:
{ref} (the RYE-only initiative), {spare} (an initiative without lines), {line}, {plan} (a plan entry),
{draft} (a draft actual), {submitted} (a submitted actual, entered by pmo_own), {unit_cost},
{target}, {audit}; and, for rows of other areas, {snapshot}, {board_pack}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("anon", "outsider", "pmo_own", "pmo_other", "finance", "executive", "admin")
READERS = ("pmo_own", "pmo_other", "finance", "executive", "admin")


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    allowed: dict[str, int] = field(default_factory=dict)
    default: int = 403
    setup: str | None = None  # name of a world step run before the request (e.g. "close_april")
    format: str = "json"  # or "multipart" (uploads)

    def expected(self, role: str) -> int:
        if role in self.allowed:
            return self.allowed[role]
        if role == "anon":
            return 401
        return self.default


def read(name: str, path: str, status: int = 200) -> Row:
    return Row(name, "GET", path, allowed=dict.fromkeys(READERS, status))


def write(name: str, method: str, path: str, body: dict | None, ok: int, who: tuple[str, ...], **extra: int) -> Row:
    allowed = dict.fromkeys(who, ok)
    allowed.update(extra)
    return Row(name, method, path, body, allowed)


PMO = ("pmo_own", "pmo_other", "admin")  # not trust-scoped (workstreams)
OWN = ("pmo_own", "admin")  # trust-scoped register writes: pmo_other gets 403
FINANCE = ("finance", "admin")

NEW_INITIATIVE = {"title": "Joint fleet workshop", "workstream": "PROC", "lead_organisation": "RYE"}
NEW_LINE = {"initiative": "{ref}", "title": "Fuel saving", "benefit_class": "cashable", "recurrence": "recurrent"}
NEW_ENTRY = {"benefit": "{line}", "period": "2025-09", "series": "plan", "quantity": "100.00"}
NEW_UNIT_COST = {
    "code": "hour_saved",
    "name": "Hour saved",
    "unit": "hours",
    "value_gbp": "40.00",
    "valid_from": "2025-10",
    "source": "Test",
}
NEW_TARGET = {
    "name": "Fleet",
    "amount_gbp": "1000.00",
    "benefit_classes": ["cashable"],
    "basis": "cumulative",
    "start_period": "2025-04",
    "end_period": "2026-03",
}

ROWS: list[Row] = [
    # sign in: the one endpoint open to everyone
    Row("token", "POST", "/api/v1/auth/token/", {"username": "pmo.rye", "password": "test-password-123"},
        allowed=dict.fromkeys(ROLES, 200)),
    Row("token, wrong password", "POST", "/api/v1/auth/token/", {"username": "pmo.rye", "password": "nope-nope-nope"},
        allowed=dict.fromkeys(ROLES, 400)),
    # organisations
    read("organisations", "/api/v1/organisations/"),
    read("organisation", "/api/v1/organisations/RYE/"),
    read("organisation unknown", "/api/v1/organisations/ZZZ/", 404),
    write("organisation create", "POST", "/api/v1/organisations/", {"code": "RX9", "name": "Another trust"}, 201, ("admin",)),
    write("organisation rename", "PATCH", "/api/v1/organisations/RYE/", {"name": "SCAS"}, 200, ("admin",)),
    # workstreams
    read("workstreams", "/api/v1/workstreams/"),
    read("workstream", "/api/v1/workstreams/PROC/"),
    write("workstream create", "POST", "/api/v1/workstreams/", {"code": "FLEET", "name": "Fleet"}, 201, PMO),
    write("workstream change", "PATCH", "/api/v1/workstreams/PROC/", {"sro": "Sam Smith"}, 200, PMO),
    write("workstream delete", "DELETE", "/api/v1/workstreams/EMPTY/", None, 204, PMO),
    # initiatives
    read("initiatives", "/api/v1/initiatives/"),
    read("initiative", "/api/v1/initiatives/{ref}/"),
    read("initiative unknown", "/api/v1/initiatives/AG-9999/", 404),
    write("initiative create (RYE lead)", "POST", "/api/v1/initiatives/", NEW_INITIATIVE, 201, OWN),
    write("initiative change", "PATCH", "/api/v1/initiatives/{ref}/", {"stage": "realising"}, 200, OWN),
    write("initiative replace", "PUT", "/api/v1/initiatives/{ref}/", {**NEW_INITIATIVE, "title": "Renamed"}, 200, OWN),
    write("initiative delete", "DELETE", "/api/v1/initiatives/{spare}/", None, 204, OWN),
    # benefit lines
    read("benefits", "/api/v1/benefits/"),
    read("benefit", "/api/v1/benefits/{line}/"),
    read("benefit unknown", "/api/v1/benefits/999999/", 404),
    write("benefit create on the initiative", "POST", "/api/v1/benefits/", NEW_LINE, 201, OWN),
    write("benefit change", "PATCH", "/api/v1/benefits/{line}/", {"title": "Fuel"}, 200, OWN),
    write("benefit delete", "DELETE", "/api/v1/benefits/{line}/", None, 204, OWN),
    # entries
    read("entries", "/api/v1/entries/"),
    read("entry", "/api/v1/entries/{plan}/"),
    read("entry unknown", "/api/v1/entries/999999/", 404),
    write("entry create", "POST", "/api/v1/entries/", NEW_ENTRY, 201, OWN),
    write("entry change", "PATCH", "/api/v1/entries/{plan}/", {"quantity": "7.00"}, 200, OWN),
    write("entry delete", "DELETE", "/api/v1/entries/{plan}/", None, 204, OWN),
    write("entry submit", "POST", "/api/v1/entries/{draft}/submit/", None, 200, OWN),
    write("entry validate", "POST", "/api/v1/entries/{submitted}/validate/", None, 200, FINANCE),
    write("entry reject", "POST", "/api/v1/entries/{submitted}/reject/", {"reason": "Wrong month"}, 200, FINANCE),
    # a bulk write refuses rows the user may not write as row errors (400, like an import), never writes them
    write("entries bulk", "POST", "/api/v1/entries/bulk/", {"entries": [NEW_ENTRY]}, 200, OWN, pmo_other=400),
    write("entries bulk-submit", "POST", "/api/v1/entries/bulk-submit/", {"ids": ["{draft}"]}, 200, OWN),
    write("entries bulk-validate", "POST", "/api/v1/entries/bulk-validate/", {"ids": ["{submitted}"]}, 200, FINANCE),
    # periods
    read("periods", "/api/v1/periods/?fy=2025/26"),
    read("period", "/api/v1/periods/2025-04/"),
    write("period close", "POST", "/api/v1/periods/2025-04/close/", {}, 200, FINANCE),
    Row("period reopen", "POST", "/api/v1/periods/2025-04/reopen/", {"reason": "Late invoice"},
        allowed={"finance": 200, "admin": 200}, setup="close_april"),
    # unit costs
    read("unit costs", "/api/v1/unit-costs/"),
    read("unit cost", "/api/v1/unit-costs/{unit_cost}/"),
    write("unit cost create", "POST", "/api/v1/unit-costs/", NEW_UNIT_COST, 201, FINANCE),
    write("unit cost change", "PATCH", "/api/v1/unit-costs/{unit_cost}/", {"source": "NCC 2024/25"}, 200, FINANCE),
    write("unit cost delete", "DELETE", "/api/v1/unit-costs/{unit_cost}/", None, 204, FINANCE),
    # confidence weights
    read("confidence weights", "/api/v1/confidence-weights/"),
    read("confidence weight", "/api/v1/confidence-weights/amber/"),
    write("confidence weight change", "PATCH", "/api/v1/confidence-weights/amber/", {"weight": "0.60"}, 200, FINANCE),
    # targets
    read("targets", "/api/v1/targets/"),
    read("target", "/api/v1/targets/{target}/"),
    write("target create", "POST", "/api/v1/targets/", NEW_TARGET, 201, FINANCE),
    write("target change", "PATCH", "/api/v1/targets/{target}/", {"amount_gbp": "12000000.00"}, 200, FINANCE),
    write("target delete", "DELETE", "/api/v1/targets/{target}/", None, 204, FINANCE),
    # audit: read-only for every reader; no method writes it
    read("audit", "/api/v1/audit/"),
    read("audit event", "/api/v1/audit/{audit}/"),
    Row("audit write", "POST", "/api/v1/audit/", {}, allowed=dict.fromkeys(("outsider", *READERS), 405)),
]

# Rows for the other API modules (rollups, board packs, Excel), which reuse this area's permission
# class: reads for every reader, writes by their own policy action.
ROWS += [
    read("rollups", "/api/v1/rollups/?fy=2025/26&as_at=2025-06&group_by=organisation"),
    read("target progress", "/api/v1/targets/{target}/progress/?as_at=2025-06"),
    read("snapshots", "/api/v1/rollups/snapshots/"),
    read("snapshot", "/api/v1/rollups/snapshots/{snapshot}/"),
    write("snapshot take", "POST", "/api/v1/rollups/snapshots/", {"fy": "2025/26", "as_at": "2025-06"}, 202, FINANCE),
    read("board packs", "/api/v1/board-packs/"),
    read("board pack", "/api/v1/board-packs/{board_pack}/"),
    read("board pack pdf before it is built", "/api/v1/board-packs/{board_pack}/pdf/", 409),
    write("board pack request", "POST", "/api/v1/board-packs/", {"as_at": "2025-06"}, 202, ("executive", "admin")),
    read("import template", "/api/v1/imports/template/"),
    read("imports", "/api/v1/imports/"),
    read("import unknown", "/api/v1/imports/999999/", 404),
    Row("import without a file", "POST", "/api/v1/imports/", {"dry_run": "true"}, format="multipart",
        allowed={"pmo_own": 400, "pmo_other": 400, "admin": 400}),
    read("register export", "/api/v1/exports/register.xlsx"),
    read("rollup export", "/api/v1/exports/rollup.xlsx?fy=2025/26&as_at=2025-06"),
]
