"""The pages. Each view parses, checks with policy, calls a service or selector and renders a presenter.

Domain errors a view cannot show beside a form are turned into pages by `http.page_view`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from benefits.errors import Conflict, DomainError, NotAllowed, NotFound, StaleVersion, Unprocessable, ValidationFailed
from benefits.finance.calendar import CalendarError, FinancialYear, is_period, month_name
from benefits.finance.rounding import pounds_pence
from benefits.models import AuditEvent, BenefitLine, BoardPack, Entry, Initiative, Target, UnitCost, User
from benefits.models.choices import JobStatus, Role, Series
from benefits.policy import Action, can, require
from benefits.selectors.audit import Cell, cell_key, entry_events
from benefits.selectors.periods import reporting_month
from benefits.services import board_packs as board_pack_services
from benefits.services import entries as entry_services
from benefits.services import periods as period_services
from benefits.services import profiles as profile_services
from benefits.services import reference as reference_services
from benefits.services import register as register_services
from benefits.services.profiles import CellEdit, CellsRefused

from . import presenters
from .forms import INCOMPLETE, BenefitLineForm, InitiativeForm, LoginForm, TargetForm, UnitCostChangeForm, UnitCostForm
from .http import forbidden_page, job_progress, not_found_page, page_view, render_page

# --- signing in and out -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = LoginForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            problem = "The username or password is not right. Check them and try again, or ask an administrator to reset your password."
        else:
            login(request, user)
            return redirect(next_url or reverse("web:dashboard"))
    errors = [{"text": str(e[0]), "href": f"#{n}"} for n, e in form.errors.items()] if request.method == "POST" else []
    if problem:
        errors.append({"text": problem, "href": "#username"})
    return render_page(
        request,
        "benefits/login.jinja",
        {"form": form, "next": next_url, "page_errors": errors, "problem": problem},
        status=400 if errors else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("web:login")


def no_role(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    admins = [u.display_name for u in User.objects.filter(role=Role.ADMIN, is_active=True).order_by("last_name", "username")]
    return render_page(request, "benefits/no_role.jinja", {"admins": admins}, status=403 if not request.user.role else 200)


# --- dashboard -------------------------------------------------------------------------------


@page_view
def dashboard(request: HttpRequest) -> HttpResponse:
    as_at = request.GET.get("as_at", "")
    problem = ""
    if as_at and not is_period(as_at):
        problem = f"'{as_at[:20]}' is not a month; showing the latest figures instead."
        as_at = ""
    as_at = as_at or reporting_month()
    page = presenters.dashboard(as_at=as_at)
    errors = [{"text": problem, "href": "#as_at"}] if problem else []
    return render_page(request, "benefits/dashboard.jinja", {"page": page, "nav_current": "dashboard", "page_errors": errors})


# --- the register ------------------------------------------------------------------------------


@page_view
def register(request: HttpRequest) -> HttpResponse:
    filters = presenters.RegisterFilters.from_query(request.GET)
    page = presenters.register(user=request.user, filters=filters)
    template = "benefits/partials/register_results.jinja" if request.htmx else "benefits/register.jinja"
    return render_page(request, template, {"page": page, "nav_current": "register"})


def _initiative(user: User, ref: str, action: Action = Action.VIEW) -> Initiative:
    found = (
        Initiative.objects.for_user(user, Action.VIEW)
        .select_related("workstream", "lead_organisation", "owner")
        .filter(ref=ref)
        .first()
    )
    if found is None:
        raise NotFound(f"There is no initiative {ref[:20]}. Check the reference, or find it in the register.")
    return found


def _initiative_form_page(request, form, *, initiative=None, status=200):
    ctx = {
        "form": form,
        "initiative": initiative,
        "page_errors": form.summary() if form.is_bound and form.errors else [],
        "nav_current": "register",
    }
    return render_page(request, "benefits/initiative_form.jinja", ctx, status=status)


@page_view
@require_http_methods(["GET", "POST"])
def initiative_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.EDIT_REGISTER, what="register initiatives")
    if request.method == "GET":
        lead = request.user.organisations.first()
        form = InitiativeForm(initial={"lead_organisation": lead.code if lead else "", "stage": "idea",
                                       "delivery_confidence": "amber", "qia_status": "not_started", "eia_status": "not_started"})
        return _initiative_form_page(request, form)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            initiative = register_services.create_initiative(
                user=request.user, fields=form.service_fields(), organisations=form.cleaned_data["organisations"]
            )
        except (ValidationFailed, Conflict, NotAllowed) as exc:
            form.add_error(exc.field if exc.field in form.fields else ("lead_organisation" if isinstance(exc, NotAllowed) else None), exc.message)
        else:
            messages.success(request, f"{initiative.ref} “{initiative.title}” is registered. Add its benefit lines next.")
            return redirect("web:initiative", initiative.ref)
    return _initiative_form_page(request, form, status=400)


@page_view
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, ref: str) -> HttpResponse:
    initiative = _initiative(request.user, ref)
    if not presenters.may_edit(request.user, initiative, {o.pk for o in initiative.organisations.all()}):
        return forbidden_page(request, f"You can only change initiatives of your own trust; {initiative.ref} does not involve any of your trusts.")
    if request.method == "GET":
        i = initiative
        form = InitiativeForm(initial={
            "title": i.title, "description": i.description, "workstream": i.workstream.code,
            "lead_organisation": i.lead_organisation.code,
            "organisations": [o.code for o in i.organisations.all() if o.pk != i.lead_organisation_id],
            "stage": i.stage, "delivery_confidence": i.delivery_confidence, "start_date": i.start_date, "end_date": i.end_date,
            "qia_status": i.qia_status, "eia_status": i.eia_status, "investment_one_off_gbp": i.investment_one_off_gbp,
            "investment_recurrent_gbp": i.investment_recurrent_gbp, "version": i.version,
        })
        return _initiative_form_page(request, form, initiative=initiative)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            register_services.update_initiative(
                user=request.user,
                initiative=initiative,
                changes=form.service_fields(),
                organisations=list(form.cleaned_data["organisations"]),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as exc:
            initiative.refresh_from_db()
            form.add_error(None, exc.message)
            return _initiative_form_page(request, form, initiative=initiative, status=412)
        except (ValidationFailed, Conflict) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Your changes to {initiative.ref} are saved.")
            return redirect("web:initiative", initiative.ref)
    return _initiative_form_page(request, form, initiative=initiative, status=400)


def _fy(request: HttpRequest) -> FinancialYear:
    text = request.GET.get("fy") or request.POST.get("fy") or ""
    try:
        return FinancialYear.parse(text)
    except CalendarError:
        return FinancialYear.of(reporting_month())


@page_view
def initiative(request: HttpRequest, ref: str) -> HttpResponse:
    obj = _initiative(request.user, ref)
    page = presenters.initiative_page(user=request.user, initiative=obj, fy=_fy(request))
    return render_page(request, "benefits/initiative.jinja", {"page": page, "nav_current": "register"})


@page_view
@require_http_methods(["GET", "POST"])
def benefit_new(request: HttpRequest, ref: str) -> HttpResponse:
    obj = _initiative(request.user, ref)
    if not presenters.may_edit(request.user, obj, {o.pk for o in obj.organisations.all()}):
        return forbidden_page(request, f"You can only change initiatives of your own trust; {obj.ref} does not involve any of your trusts.")
    orgs = list(obj.organisations.all())
    if request.method == "GET":
        form = BenefitLineForm(initial={"organisation": obj.lead_organisation.code, "measure": "GBP", "attribution_pct": "100.00",
                                        "benefit_class": "cashable", "recurrence": "recurrent"})
    else:
        form = BenefitLineForm(request.POST)
        if form.is_valid():
            try:
                line = register_services.create_benefit(user=request.user, initiative=obj, fields=form.service_fields())
            except (ValidationFailed, Conflict) as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Benefit line “{line.title}” is added. Fill in its months below.")
                return redirect(reverse("web:initiative", args=[obj.ref]) + f"#line-{line.pk}")
    ctx = {"form": form, "initiative": obj, "organisations": orgs, "nav_current": "register",
           "page_errors": form.summary() if form.is_bound and form.errors else []}
    return render_page(request, "benefits/benefit_form.jinja", ctx, status=400 if form.is_bound else 200)


# --- the month grid ----------------------------------------------------------------------------


def _line(user: User, line_id: int) -> BenefitLine:
    line = BenefitLine.objects.for_user(user, Action.VIEW).select_related("initiative").filter(pk=line_id).first()
    if line is None:
        raise NotFound(f"There is no benefit line {line_id}.")
    return line


def _parse_cell_name(name: str) -> tuple[str, str] | None:
    parts = name.split("-", 2)
    if len(parts) != 3 or parts[0] != "q" or parts[1] not in Series.values or not is_period(parts[2]):
        return None
    return parts[1], parts[2]


def _version(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _cell_edit(post, series: str, period: str) -> CellEdit:
    """The month as typed on the page, with the version the page showed."""
    return CellEdit(series, period, post.get(f"q-{series}-{period}", ""), _version(post.get(f"v-{series}-{period}", "")))


def _stale_notice(exc: StaleVersion, typed: str, line: BenefitLine) -> str:
    current = exc.current if isinstance(exc.current, Entry) else None
    if current is None:
        newer = "now empty"
    elif line.measure == "GBP":
        newer = f"now {pounds_pence(current.value_gbp)}"
    else:
        newer = f"now {current.quantity:.2f} ({pounds_pence(current.value_gbp)})"
    return (
        f"Not saved: someone else changed this month since you loaded the page; it is {newer}. "
        f"Your value {typed or '(blank)'} was not saved. Enter it again if it should replace theirs."
    )


@page_view
@require_POST
def grid_save(request: HttpRequest, line_id: int) -> HttpResponse:
    """htmx: save the one cell that changed and answer with it and the totals (swapped in place).

    Without JavaScript the whole grid is posted: every changed cell is saved in one
    transaction, all or nothing, and the page is shown again with any errors beside the cells.
    """
    line = _line(request.user, line_id)
    fy = _fy(request)
    editable = presenters.may_edit(request.user, line.initiative, {o.pk for o in line.initiative.organisations.all()})
    if not editable:
        return forbidden_page(request, f"You can only change initiatives of your own trust; {line.initiative.ref} does not involve any of your trusts.")
    if request.htmx:
        return _save_one_cell(request, line, fy)
    return _save_whole_grid(request, line, fy)


def _save_one_cell(request, line, fy):
    name = request.htmx.trigger_name or ""
    parsed = _parse_cell_name(name)
    if parsed is None or parsed[1] not in fy:
        return HttpResponse("That cell is not part of this grid; reload the page.", status=400)
    series, period = parsed
    edit = _cell_edit(request.POST, series, period)
    error = notice = ""
    try:
        profile_services.save_cell(user=request.user, line=line, edit=edit)
    except StaleVersion as exc:
        notice = _stale_notice(exc, edit.typed, line)
    except DomainError as exc:
        error = exc.message
    row = presenters.grid_row(line=line, series=series, fy=fy, editable=True)
    cell = next(c for c in row.cells if c.period == period)
    if error:
        cell.error, cell.quantity = error, edit.typed
    cell.notice = notice
    totals = presenters.year_totals(line.initiative, fy)
    return render_page(request, "benefits/partials/grid_cell_response.jinja", {"cell": cell, "row": row, "totals": totals, "line_is_money": line.measure == "GBP"})


def _save_whole_grid(request, line, fy):
    """Every cell of the posted grid, all or nothing; on a refusal the page again, each error beside its cell."""
    cells = [parsed for parsed in map(_parse_cell_name, request.POST) if parsed is not None and parsed[1] in fy]
    edits = [_cell_edit(request.POST, series, period) for series, period in cells]
    target = reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={fy.label}"
    try:
        saved = profile_services.save_cells(user=request.user, line=line, edits=edits)
    except CellsRefused as refused:
        errors = {
            f"q-{series}-{period}": _stale_notice(exc, request.POST.get(f"q-{series}-{period}", ""), line)
            if isinstance(exc, StaleVersion) else exc.message
            for (series, period), exc in refused.errors.items()
        }
    else:
        messages.success(request, f"{saved} month{'s' if saved != 1 else ''} of “{line.title}” saved." if saved else "Nothing had changed.")
        return redirect(target + f"#line-{line.pk}")
    typed_values = {f"q-{e.series}-{e.period}": e.typed for e in edits}
    page = presenters.initiative_page(user=request.user, initiative=line.initiative, fy=fy)
    summary = []
    for grid in page.lines:
        if grid.id != line.pk:
            continue
        for row in grid.rows:
            for cell in row.cells:
                if cell.name in errors:
                    cell.error, cell.quantity = errors[cell.name], typed_values.get(cell.name, cell.quantity)
                    summary.append({"text": f"{cell.month} {row.label.lower()}: {errors[cell.name]}", "href": f"#{cell.id}"})
                elif cell.name in typed_values and typed_values[cell.name].strip() != cell.quantity:
                    cell.quantity = typed_values[cell.name]
    return render_page(request, "benefits/initiative.jinja", {"page": page, "nav_current": "register", "page_errors": summary}, status=400)


@page_view
@require_POST
def submit_actuals(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _line(request.user, line_id)
    fy = _fy(request)
    target = reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={fy.label}#line-{line.pk}"
    submitted = profile_services.submit_line_actuals(user=request.user, line=line, fy=fy)
    if not submitted:
        messages.info(request, f"“{line.title}” has no draft actuals in {fy.label} to submit.")
    else:
        n = len(submitted)
        messages.success(request, f"{n} actual{'s' if n != 1 else ''} of “{line.title}” submitted for validation.")
    return redirect(target)


# --- finance -----------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def validation_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VALIDATE, what="validate actuals")
    filters = presenters.QueueFilters.from_query(request.GET)
    errors = []
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        one = request.POST.get("validate_one", "")
        back = request.POST.get("send_back", "")
        reason = request.POST.get("reason", "").strip()
        try:
            if one.isdigit():
                entry_services.validate_entries(user=request.user, ids=[int(one)])
                messages.success(request, "The actual is validated.")
            elif request.POST.get("action") == "validate":
                if not ids:
                    raise ValidationFailed("Select the actuals to validate.", field="ids")
                done = entry_services.validate_entries(user=request.user, ids=ids)
                messages.success(request, f"{len(done)} actual{'s' if len(done) != 1 else ''} validated.")
            elif request.POST.get("action") == "send_back" or back.isdigit():
                chosen = [int(back)] if back.isdigit() else ids
                if not chosen:
                    raise ValidationFailed("Select the actuals to send back.", field="ids")
                if not reason:
                    raise ValidationFailed("Give a reason for sending the actuals back, so the programme office knows what to fix.", field="reason")
                entry_services.reject_entries(user=request.user, ids=chosen, reason=reason)
                messages.success(request, f"{len(chosen)} actual{'s' if len(chosen) != 1 else ''} sent back with your reason.")
            else:
                raise ValidationFailed("Choose to validate or send back.", field="ids")
            return redirect(reverse("web:validation_queue") + filters.query())
        except NotAllowed as exc:
            return forbidden_page(request, exc.message)
        except DomainError as exc:
            errors.append({"text": exc.message, "href": "#reason" if exc.field == "reason" else "#queue"})
    page = presenters.validation_queue(user=request.user, filters=filters)
    return render_page(request, "benefits/validation_queue.jinja",
                       {"page": page, "nav_current": "validation", "page_errors": errors, "reason": request.POST.get("reason", "")},
                       status=400 if errors else 200)


@page_view
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CLOSE_PERIOD, what="close or reopen months")
    fy = _fy(request)
    errors = []
    if request.method == "POST":
        month = request.POST.get("period", "")
        reason = request.POST.get("reason", "").strip()
        try:
            if request.POST.get("action") == "reopen":
                period_services.reopen_period(user=request.user, period=month, reason=reason)
                messages.success(request, f"{month_name(month)} is open again.")
            else:
                period_services.close_period(user=request.user, period=month, reason=reason)
                messages.success(request, f"{month_name(month)} and every month before it are closed.")
            return redirect(reverse("web:periods") + f"?fy={fy.label}")
        except (ValidationFailed, Conflict) as exc:
            errors.append({"text": exc.message, "href": "#reason" if exc.field == "reason" else "#period"})
    page = presenters.periods_page(fy=fy)
    return render_page(request, "benefits/periods.jinja", {"page": page, "nav_current": "periods", "page_errors": errors},
                       status=400 if errors else 200)


@page_view
@require_http_methods(["GET", "POST"])
def unit_costs(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW)
    allowed = can(request.user, Action.EDIT_REFERENCE)
    form = UnitCostForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.EDIT_REFERENCE, what="change unit costs")
        if form.is_valid():
            try:
                cost = reference_services.create_unit_cost(user=request.user, fields=form.cleaned_data)
            except (ValidationFailed, Conflict) as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Unit cost {cost.code} from {month_name(cost.valid_from)} is added; later entries are revalued.")
                return redirect("web:unit_costs")
    ctx = {"page": presenters.unit_costs_page(), "form": form, "can_edit": allowed, "nav_current": "reference",
           "page_errors": form.summary() if form.is_bound and form.errors else []}
    return render_page(request, "benefits/unit_costs.jinja", ctx, status=400 if form.is_bound and form.errors else 200)


@page_view
@require_http_methods(["GET", "POST"])
def confidence_weights(request: HttpRequest) -> HttpResponse:
    allowed = can(request.user, Action.EDIT_REFERENCE)
    errors = []
    if request.method == "POST":
        require(request.user, Action.EDIT_REFERENCE, what="change confidence weights")
        typed = {
            key[len("weight-"):]: (value.strip(), _version(request.POST.get(f"version-{key[len('weight-'):]}", "")))
            for key, value in request.POST.items()
            if key.startswith("weight-") and value.strip()
        }
        try:
            changed = reference_services.update_confidence_weights(user=request.user, changes=typed)
        except DomainError as exc:
            errors.append({"text": exc.message, "href": "#weights"})
        else:
            messages.success(request, f"{changed} weight{'s' if changed != 1 else ''} changed." if changed else "Nothing had changed.")
            return redirect("web:confidence_weights")
    ctx = {"weights": presenters.weights_page(), "can_edit": allowed, "nav_current": "reference", "page_errors": errors}
    return render_page(request, "benefits/confidence_weights.jinja", ctx, status=400 if errors else 200)


@page_view
def targets(request: HttpRequest) -> HttpResponse:
    ctx = {"targets": presenters.targets_page(), "can_edit": can(request.user, Action.EDIT_REFERENCE), "nav_current": "reference"}
    return render_page(request, "benefits/targets.jinja", ctx)


@page_view
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="add targets")
    form, status = TargetForm(initial={"basis": "cumulative"}), 200
    if request.method == "POST":
        form, status = TargetForm(request.POST), 400
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                target = reference_services.create_target(user=request.user, fields=fields)
            except (ValidationFailed, Conflict) as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, f"Target “{target.name}” is added; the dashboard reports progress towards it.")
                return redirect("web:targets")
    ctx = {"form": form, "page": presenters.target_change(None), "nav_current": "reference",
           "page_errors": form.summary() if form.errors else []}
    return render_page(request, "benefits/target_form.jinja", ctx, status=status)


@page_view
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, target_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="change targets")
    return _change_page(
        request,
        find=lambda: Target.objects.filter(pk=target_id).first(),
        missing=f"There is no target {target_id}; it may have been deleted.",
        form_class=TargetForm,
        initial=lambda t: {"name": t.name, "amount_gbp": t.amount_gbp, "benefit_classes": t.benefit_classes, "basis": t.basis,
                           "start_period": t.start_period, "end_period": t.end_period},
        present=presenters.target_change,
        save=lambda target, changes, version: reference_services.update_target(
            user=request.user, target=target, changes=changes, expected_version=version),
        done=lambda target: f"Target “{target.name}” is saved.",
        template="benefits/target_form.jinja",
        back=reverse("web:targets"),
    )


@page_view
@require_http_methods(["GET", "POST"])
def unit_cost_edit(request: HttpRequest, cost_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="change unit costs")
    return _change_page(
        request,
        find=lambda: UnitCost.objects.filter(pk=cost_id).first(),
        missing=f"There is no unit cost version {cost_id}; it may have been deleted.",
        form_class=UnitCostChangeForm,
        initial=lambda c: {"name": c.name, "unit": c.unit, "value_gbp": c.value_gbp, "valid_from": c.valid_from, "source": c.source},
        present=presenters.unit_cost_change,
        save=lambda cost, changes, version: reference_services.update_unit_cost(
            user=request.user, unit_cost=cost, changes=changes, expected_version=version),
        done=lambda cost: f"Unit cost {cost.code} from {month_name(cost.valid_from)} is saved; the entries it values are revalued.",
        template="benefits/unit_cost_form.jinja",
        back=reverse("web:unit_costs"),
    )


def _change_page(request: HttpRequest, *, find, missing: str, form_class, initial, present, save, done, template: str,
                 back: str) -> HttpResponse:
    """A change form: GET pre-filled, with the version the user saw in a hidden field; POST to the API's own
    update service. Field errors and the service's refusals are shown beside the fields in its words (400,
    409); a stale version (412) shows the values saved meanwhile and carries their version, so that saving
    again is the user's choice, never a silent overwrite."""
    obj = find()
    if obj is None:
        return not_found_page(request, missing)
    stale, status = False, 200
    if request.method == "GET":
        form = form_class(initial={**initial(obj), "version": obj.version})
    else:
        form, status = form_class(request.POST), 400
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            version = form.cleaned_data["version"]
            try:
                if version is None:
                    raise ValidationFailed(INCOMPLETE)
                saved = save(obj, changes, version)
            except StaleVersion:
                obj = find()
                if obj is None:
                    return not_found_page(request, missing)
                stale, status = True, 412
                form = form_class(_with_version(request.POST, obj.version))
                form.is_valid()
                form.add_error(None, present(obj, stale=True).stale)
            except (ValidationFailed, Conflict, Unprocessable) as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, done(saved) if saved.version != version else "Nothing had changed.")
                return redirect(back)
    ctx = {"form": form, "page": present(obj, stale=stale), "nav_current": "reference",
           "page_errors": form.summary() if form.errors else []}
    return render_page(request, template, ctx, status=status)


def _with_version(posted, version: int):
    """The user's post again, carrying the version now saved (a stale form is shown with the newer values)."""
    data = posted.copy()
    data["version"] = str(version)
    return data


def _confirm_delete(request: HttpRequest, *, find, missing: str, present, delete, done, back: str) -> HttpResponse:
    """A confirm page (GET) whose form (POST, with the version the user saw) calls the API's own
    delete service; a refusal is shown on the same page in the service's words, with the current values."""
    obj = find()
    if obj is None:
        return not_found_page(request, missing)
    errors = []
    if request.method == "POST":
        version = _version(request.POST.get("version", ""))
        try:
            if version is None:
                raise ValidationFailed("The confirmation was incomplete. Check the details below and confirm again.")
            delete(obj, version)
        except (Conflict, Unprocessable, StaleVersion, ValidationFailed) as exc:
            errors.append({"text": exc.message, "href": "#confirm"})
            obj = find()
            if obj is None:
                return not_found_page(request, missing)
        else:
            messages.success(request, done(obj))
            return redirect(back)
    ctx = {"page": present(obj), "nav_current": "reference", "page_errors": errors}
    return render_page(request, "benefits/confirm_delete.jinja", ctx, status=409 if errors else 200)


@page_view
@require_http_methods(["GET", "POST"])
def unit_cost_delete(request: HttpRequest, cost_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="delete unit costs")
    return _confirm_delete(
        request,
        find=lambda: UnitCost.objects.filter(pk=cost_id).first(),
        missing=f"There is no unit cost version {cost_id}; it may have been deleted already.",
        present=presenters.unit_cost_deletion,
        delete=lambda cost, version: reference_services.delete_unit_cost(user=request.user, unit_cost=cost, expected_version=version),
        done=lambda cost: f"Unit cost {cost.code} from {month_name(cost.valid_from)} is deleted; the entries it valued are revalued.",
        back=reverse("web:unit_costs"),
    )


@page_view
@require_http_methods(["GET", "POST"])
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="delete targets")
    return _confirm_delete(
        request,
        find=lambda: Target.objects.filter(pk=target_id).first(),
        missing=f"There is no target {target_id}; it may have been deleted already.",
        present=presenters.target_deletion,
        delete=lambda target, version: reference_services.delete_target(user=request.user, target=target, expected_version=version),
        done=lambda target: f"Target “{target.name}” is deleted.",
        back=reverse("web:targets"),
    )


# --- board packs ------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def board_packs(request: HttpRequest) -> HttpResponse:
    errors = []
    selected = request.POST.get("as_at") or request.GET.get("as_at") or reporting_month()
    if request.method == "POST":
        require(request.user, Action.GENERATE_BOARD_PACK, what="generate board packs")
        try:
            pack = board_pack_services.request_board_pack(user=request.user, as_at=selected)
        except (ValidationFailed, Conflict) as exc:
            errors.append({"text": exc.message, "href": "#as_at"})
        else:
            messages.success(request, f"The board pack for {month_name(pack.as_at)} is being built.")
            return redirect(reverse("web:board_packs") + f"#pack-{pack.pk}")
    if not is_period(selected):
        selected = reporting_month()
    page = presenters.board_packs_page(user=request.user, selected=selected)
    return render_page(request, "benefits/board_packs.jinja", {"page": page, "nav_current": "board_packs", "page_errors": errors},
                       status=400 if errors else 200)


@page_view
def board_pack_progress(request: HttpRequest, pack_id: int) -> HttpResponse:
    """htmx polls this while a pack is built; 286 tells htmx 2 to stop polling once it is done."""
    pack = BoardPack.objects.select_related("created_by").filter(pk=pack_id).first()
    if pack is None:
        return not_found_page(request, f"There is no board pack {pack_id}.")
    row = presenters.pack_row(pack)
    return job_progress(request, "benefits/partials/board_pack_row.jinja", {"pack": row}, active=row.active)


@page_view
def board_pack_download(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = BoardPack.objects.filter(pk=pack_id).first()
    if pack is None:
        return not_found_page(request, f"There is no board pack {pack_id}.")
    if pack.status != JobStatus.DONE or not pack.file:
        raise Conflict(f"The board pack for {month_name(pack.as_at)} is not ready yet ({pack.status}). Try again in a moment.")
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=f"board-pack-{pack.as_at}.pdf",
                        content_type="application/pdf")


# --- history ------------------------------------------------------------------------------------


@page_view
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """The audit trail of an initiative (with its lines and entries), a line (with its entries) or one object."""
    user = request.user
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    only_cell = None
    if object_type == "initiative":
        obj = _initiative(user, object_id)
        line_ids = [str(i) for i in obj.benefits.values_list("id", flat=True)]
        entry_ids = [str(i) for i in Entry.objects.filter(benefit__initiative=obj).values_list("id", flat=True)]
        events = AuditEvent.objects.filter(
            Q(object_type="initiative", object_id=obj.ref) | Q(object_type="benefit", object_id__in=line_ids)
            | Q(object_type="entry", object_id__in=entry_ids)
        )
        title, back = f"History of {obj.ref} {obj.title}", reverse("web:initiative", args=[obj.ref])
    elif object_type == "benefit" and object_id.isdigit():
        line = _line(user, int(object_id))
        entry_ids = [str(i) for i in line.entries.values_list("id", flat=True)]
        events = AuditEvent.objects.filter(Q(object_type="benefit", object_id=str(line.pk)) | Q(object_type="entry", object_id__in=entry_ids))
        title, back = f"History of benefit line “{line.title}”", reverse("web:initiative", args=[line.initiative.ref]) + f"#line-{line.pk}"
    elif object_type == "entry":
        entry = (
            Entry.objects.for_user(user, Action.VIEW)
            .select_related("benefit__initiative")
            .filter(pk=int(object_id) if object_id.isdigit() else 0)
            .first()
        )
        if entry is None:
            raise NotFound(f"There is no entry {object_id[:20]}.")
        events = AuditEvent.objects.filter(entry_events([Cell(entry.pk, entry.benefit_id, entry.period, entry.series)]))
        only_cell = cell_key(entry.period, entry.series)
        line = entry.benefit
        title = f"History of the {month_name(entry.period)} {entry.series} of “{line.title}”"
        back = reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={FinancialYear.of(entry.period).label}#line-{line.pk}"
    elif object_type in ("period", "unit_cost", "target", "confidence_weight", "workstream") and object_id:
        events = AuditEvent.objects.filter(object_type=object_type, object_id=object_id[:40])
        title, back = f"History of {object_type.replace('_', ' ')} {object_id[:40]}", reverse("web:dashboard")
    else:
        raise NotFound("There is no such history page.")
    page = presenters.history(title=title, back_href=back, events=events, page=page_number, only_cell=only_cell)
    return render_page(request, "benefits/history.jinja", {"page": page, "nav_current": "register"})


# --- error pages (config/urls.py points handler403/404/500 here) ---------------------------------


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "permission_denied", "message": "You may not do this."}, status=403)
    return forbidden_page(request)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": "There is nothing at this address."}, status=404)
    return not_found_page(request)


def error_500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": "Something went wrong on our side."}, status=500)
    return render_page(request, "benefits/errors/500.jinja", {}, status=500)
