"""Pages read the database only through selectors (STYLE.md layers; issue 15): no module of benefits/web
builds a query, touches a manager or a related manager, pages a queryset or opens a transaction.

The check reads the source of every module of benefits/web. A query issued lazily by a template
is not visible here: the pinned query counts of tests/web catch those.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

import benefits.web

WEB = Path(benefits.web.__file__).parent
# The managers, wherever they are reached from.
MANAGERS = {"objects", "for_user", "_default_manager", "_base_manager"}
# Queryset and manager methods that read, called on whatever object (`fy.first` is a month, `fy.first()` a read).
READS = {
    "all", "filter", "exclude", "first", "last", "exists", "aggregate", "annotate", "values_list", "select_related",
    "prefetch_related", "order_by", "distinct", "in_bulk", "iterator", "latest", "earliest", "refresh_from_db", "only",
    "defer", "raw", "get_or_create", "update_or_create",
}


def reads_when_called(call: ast.Call) -> bool:
    """`qs.count()`, `qs.get(pk=1)` and `qs.values("a")` read; `text.count("x")`, `row.get("a")` and `row.values()` do not."""
    name, args, keywords = call.func.attr, call.args, call.keywords
    if name in READS:
        return True
    return (name == "count" and not args and not keywords) or (name == "get" and not args) or (name == "values" and bool(args or keywords))


# Nothing of the database layer is imported by a page: no Q or Sum, no Paginator, no transaction.
FORBIDDEN_IMPORTS = ("django.db", "django.core.paginator", "django.contrib.postgres")


def related_managers() -> set[str]:
    """Every many-valued relation of the project's models (`initiative.organisations`, `line.entries`, …)."""
    names = set()
    for model in apps.get_app_config("benefits").get_models():
        for f in model._meta.get_fields():
            if f.is_relation and (f.one_to_many or f.many_to_many):
                names.add(f.get_accessor_name() if f.auto_created and not f.concrete else f.name)
    return names


def reads_in(path: Path, managers: set[str], root: Path = WEB.parent.parent) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(), filename=str(path))
    type_checking = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                     for n in ast.walk(block)}
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in type_checking:
            modules = [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom):
                modules = [f"{node.module}.{a.name}" if node.module == "benefits" else node.module or "" for a in node.names]
            for module in sorted(set(modules)):
                if module.startswith(FORBIDDEN_IMPORTS):
                    found.append(f"{where} imports {module}")
                if module == "benefits.models" or (module.startswith("benefits.models.") and module != "benefits.models.choices"):
                    found.append(f"{where} imports models from {module} (use a selector; models only as type hints)")
        elif isinstance(node, ast.Attribute):
            if node.attr in MANAGERS or node.attr in managers:
                found.append(f"{where} .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and reads_when_called(node):
            if ast.unparse(node.func.value) == "default_storage":  # files (`exists`), not rows
                continue
            found.append(f"{where} .{node.func.attr}(…)")
        elif isinstance(node, ast.Name) and node.id == "Paginator":
            found.append(f"{where} Paginator")
    return found


def test_no_page_module_reads_the_database_itself():
    managers = related_managers()
    assert {"organisations", "benefits", "entries"} <= managers  # the check knows the relations it looks for
    found = [hit for path in sorted(WEB.rglob("*.py")) for hit in reads_in(path, managers)]
    assert not found, "Move these reads into a selector (benefits/selectors):\n" + "\n".join(found)


def test_the_check_sees_the_reads_pages_used_to_make(tmp_path):
    """Today's pages pass; the reads they once made (issue 15) would not."""
    old = tmp_path / "old.py"
    old.write_text(
        "from django.core.paginator import Paginator\n"
        "from benefits.models import Entry, Target\n"
        "def page(request, initiative, line):\n"
        "    trusts = request.user.organisations.all()\n"
        "    orgs = {o.pk for o in initiative.organisations.all()}\n"
        "    found = line.entries.filter(series='plan')\n"
        "    target = Target.objects.filter(pk=1).first()\n"
        "    n = Entry.objects.count()\n"
        "    return Paginator(found, 50), found.values('series'), found.count(), target.refresh_from_db()\n"
    )
    hits = reads_in(old, {"organisations", "entries"}, root=tmp_path)
    assert len(hits) == 17, hits
