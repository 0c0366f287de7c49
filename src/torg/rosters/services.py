"""Roster writes: solve (now or in a background thread), publish, manual edits, set-up.

Rows become :mod:`torg.rostering` dataclasses in :func:`problem_for`; every roster is
checked by the independent checker (:func:`torg.rostering.check`) before it can be
published, and after each manual edit.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import holidays
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Prefetch
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from torg import rostering
from torg.inquiries.models import Inquiry
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy
from torg.rostering.demand import Arrival, hourly_forecast, weekly_staff
from torg.rosters.models import (
    Absence,
    Assignment,
    DemandSlot,
    Placement,
    Roster,
    RosterStatus,
    ShiftTemplate,
    Shortfall,
    StaffMember,
)

ZONE = "Europe/Oslo"


@dataclass(frozen=True)
class ProblemRows:
    """A solver problem and the rows its ids stand for (``str(pk)`` of each row)."""

    problem: rostering.Problem
    staff: dict[str, StaffMember]
    shifts: dict[str, ShiftTemplate]


RULE_FIELDS = ("contract_tolerance_hours", "saturday_every_weeks")


def rules_to_json(rules: rostering.Rules) -> dict[str, Any]:
    """What a roster stores of its rules: the manager's limits and softened rules."""
    return {
        "contract_tolerance_hours": rules.contract_tolerance_hours,
        "saturday_every_weeks": rules.saturday_every_weeks,
        "soft": sorted(rules.soft),
    }


def rules_from_json(data: dict[str, Any]) -> rostering.Rules:
    """The inverse of :func:`rules_to_json`; missing keys take the defaults."""
    values: dict[str, Any] = {key: data[key] for key in RULE_FIELDS if key in data}
    return rostering.Rules(soft=frozenset(data.get("soft", ())), **values)


def solver_settings() -> rostering.SolverSettings:
    """From ``TORG_ROSTER_TIME_LIMIT`` / ``_WORKERS`` / ``_SEED`` settings (30 s, 2, 0)."""
    return rostering.SolverSettings(
        time_limit_seconds=float(getattr(settings, "TORG_ROSTER_TIME_LIMIT", 30)),
        workers=int(getattr(settings, "TORG_ROSTER_WORKERS", 2)),
        seed=int(getattr(settings, "TORG_ROSTER_SEED", 0)),
    )


def problem_for(
    *,
    municipality: Municipality,
    period_start: dt.date,
    weeks: int,
    rules: rostering.Rules | None = None,
) -> ProblemRows:
    """The roster problem of ``municipality`` for the period.

    Demand slots repeat every week on their weekday, except on Norwegian public holidays
    (the service is closed), split into whole hours so that shifts can hand over. Raises
    ValueError when the period does not start on a Monday.
    """
    tz = zoneinfo.ZoneInfo(ZONE)
    staff = {
        str(s.pk): s
        for s in StaffMember.objects.filter(municipality=municipality).prefetch_related(
            Prefetch("absences", queryset=Absence.objects.filter(municipality=municipality)),
            Prefetch("extra_sites", queryset=Site.objects.filter(municipality=municipality)),
        )
    }
    shifts = {
        str(t.pk): t
        for t in ShiftTemplate.objects.filter(municipality=municipality).select_related("site")
    }
    days = [period_start + dt.timedelta(days=i) for i in range(7 * weeks)]
    closed = holidays.country_holidays("NO", years=sorted({d.year for d in days}))
    demand: list[rostering.Demand] = []
    for slot in DemandSlot.objects.filter(municipality=municipality).order_by("pk"):
        for day in days:
            if day.weekday() != slot.weekday or day in closed:
                continue
            begin = dt.datetime.combine(day, slot.starts, tzinfo=tz)
            end = dt.datetime.combine(day, slot.ends, tzinfo=tz)
            while begin < end:
                piece = min(end, begin + dt.timedelta(hours=1))
                demand.append(
                    rostering.Demand(
                        str(slot.site_id), begin, piece, slot.minimum, slot.competence or None
                    )
                )
                begin = piece
    code_keys = {t.code: key for key, t in shifts.items()}
    people = []
    for key, member in staff.items():
        absent = set()
        for absence in member.absences.all():
            day = absence.first_day
            while day <= absence.last_day:
                absent.add(day)
                day += dt.timedelta(days=1)
        people.append(
            rostering.Person(
                id=key,
                name=member.name,
                home_site=str(member.home_site_id),
                competences=frozenset(member.competences),
                contract_share=float(member.contract_share),
                weekly_hours=float(member.weekly_hours),
                sites=frozenset(str(site.pk) for site in member.extra_sites.all()),
                absent=frozenset(absent),
                preferred=frozenset(
                    (None, code_keys[c]) for c in member.preferred_shifts if c in code_keys
                ),
                unwanted=frozenset(
                    (None, code_keys[c]) for c in member.unwanted_shifts if c in code_keys
                ),
            )
        )
    templates = tuple(
        rostering.ShiftTemplate(key, str(t.site_id), t.starts, t.ends, frozenset(t.weekdays))
        for key, t in shifts.items()
    )
    placements = tuple(
        rostering.Placement(str(p.staff_id), str(p.site_id), p.shifts)
        for p in Placement.objects.filter(municipality=municipality, staff__in=staff.values())
    )
    site_names = {str(t.site_id): t.site.name for t in shifts.values()}
    problem = rostering.Problem(
        start=period_start,
        weeks=weeks,
        shifts=templates,
        people=tuple(people),
        demand=tuple(demand),
        placements=placements,
        rules=rules or rostering.Rules(),
        zone=ZONE,
        site_names=site_names,
    )
    return ProblemRows(problem, staff, shifts)


@transaction.atomic
def setup_row_save(*, tenancy: Tenancy, form: ModelForm[Any]) -> Any:
    """Save a staff member, shift template or demand slot from its validated form, in the
    tenancy's municipality (the form's site choices are scoped to it)."""
    row = form.save(commit=False)
    row.municipality = tenancy.municipality
    row.save()
    form.save_m2m()
    return row


@transaction.atomic
def demand_derive_from_inquiries(
    *,
    tenancy: Tenancy,
    site: Site,
    until: dt.date,
    weeks: int = 8,
    open_hours: dict[int, range],
    handle_seconds: float = 300,
    target_seconds: float = 120,
    target_share: float = 0.8,
) -> int:
    """Replace ``site``'s demand slots with ones derived from its inquiry log.

    Arrivals per weekday and local hour over the ``weeks`` weeks before ``until``
    (:func:`torg.rostering.demand.hourly_forecast`; inquiries without a known time of day
    are left out), then the staff needed to answer ``target_share`` within
    ``target_seconds`` with a mean handling time of ``handle_seconds`` (Erlang C,
    :func:`torg.rostering.demand.weekly_staff`). Library and municipal inquiries need that
    competence; shared and unknown ones anyone. Returns the number of slots written.
    """
    kinds = {"library": "library", "municipal": "municipal"}
    inquiries = tenancy.scoped(Inquiry).filter(
        site=site,
        time_of_day_known=True,
        occurred_at__gte=dt.datetime.combine(
            until - dt.timedelta(days=7 * weeks + 1), dt.time(0), tzinfo=dt.UTC
        ),
        occurred_at__lt=dt.datetime.combine(
            until + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC
        ),
    )
    arrivals = [
        Arrival(at, kinds.get(domain))
        for at, domain in inquiries.values_list("occurred_at", "domain")
    ]
    forecast = hourly_forecast(arrivals, zone=site.time_zone or ZONE, until=until, weeks=weeks)
    rows = weekly_staff(
        forecast,
        open_hours=open_hours,
        handle_seconds=handle_seconds,
        target_seconds=target_seconds,
        target_share=target_share,
    )
    tenancy.scoped(DemandSlot).filter(site=site).delete()
    DemandSlot.objects.bulk_create(
        DemandSlot(
            municipality=tenancy.municipality,
            site=site,
            weekday=weekday,
            starts=dt.time(hour),
            ends=dt.time(hour + 1) if hour < 23 else dt.time(23, 59),
            minimum=people,
            competence=competence or "",
        )
        for weekday, hour, competence, people in rows
    )
    return len(rows)


def _solver_assignments(roster: Roster) -> list[rostering.Assignment]:
    return [
        rostering.Assignment(str(a.staff_id), a.day, str(a.shift_id))
        for a in roster.own_assignments().all()
    ]


def roster_violations(
    *, roster: Roster, rules: rostering.Rules | None = None
) -> list[rostering.Violation]:
    """The checker's violations of ``roster`` against today's staff, shifts and demand,
    under ``rules`` (default: the rules the roster was made with)."""
    rows = problem_for(
        municipality=roster.municipality,
        period_start=roster.period_start,
        weeks=roster.weeks,
        rules=rules or rules_from_json(roster.rules),
    )
    return rostering.check(rows.problem, _solver_assignments(roster))


@transaction.atomic
def roster_save(
    *,
    municipality: Municipality,
    rows: ProblemRows,
    result: rostering.Result,
    actor: AbstractBaseUser | None,
) -> Roster:
    """Store ``result`` as the next version of the period's roster, with its unmet demand
    and (when the hard rules conflict) its explanation."""
    problem = rows.problem
    latest = Roster.objects.filter(municipality=municipality, period_start=problem.start).aggregate(
        Max("version")
    )["version__max"]
    roster = Roster.objects.create(
        municipality=municipality,
        period_start=problem.start,
        weeks=problem.weeks,
        version=(latest or 0) + 1,
        solver_status=result.status,
        objective=result.objective,
        explanation="\n".join(result.explanation),
        rules=rules_to_json(problem.rules),
        created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    Assignment.objects.bulk_create(
        Assignment(
            municipality=municipality,
            roster=roster,
            staff=rows.staff[a.person],
            day=a.day,
            shift=rows.shifts[a.shift],
        )
        for a in result.assignments
    )
    Shortfall.objects.bulk_create(
        Shortfall(
            municipality=municipality,
            roster=roster,
            site_id=int(s.demand.site),
            starts_at=s.demand.start,
            ends_at=s.demand.end,
            competence=s.demand.competence or "",
            missing=s.missing,
        )
        for s in result.shortfalls
    )
    return roster


def roster_solve(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser | None,
    period_start: dt.date,
    weeks: int,
    rules: rostering.Rules | None = None,
    solver: rostering.SolverSettings | None = None,
    on_progress: Callable[[rostering.Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> Roster:
    """Solve the period and store the result as a new draft version."""
    rows = problem_for(
        municipality=tenancy.municipality, period_start=period_start, weeks=weeks, rules=rules
    )
    result = rostering.solve(
        rows.problem, solver or solver_settings(), on_progress=on_progress, stop=stop
    )
    return roster_save(municipality=tenancy.municipality, rows=rows, result=result, actor=actor)


@dataclass
class Job:
    """A solve running in a background thread of this process."""

    municipality_id: int
    time_limit_seconds: float
    started: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)
    best_objective: float | None = None
    solutions: int = 0
    roster_id: int | None = None
    error: str = ""

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.time_limit_seconds - (time.monotonic() - self.started))

    @property
    def done(self) -> bool:
        return self.roster_id is not None or bool(self.error)


JOBS: dict[str, Job] = {}
_JOBS_LOCK = threading.Lock()


def roster_solve_start(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser | None,
    period_start: dt.date,
    weeks: int,
    rules: rostering.Rules | None = None,
) -> str:
    """Start :func:`roster_solve` in a background thread; return the job's key.

    The job lives in this process's memory (one web process solves at a time per request);
    its progress (best objective, solutions, time left) is read by the progress page, and
    setting its ``stop`` event ends the search early, keeping the best roster.
    """
    if period_start.weekday() != 0:
        raise ValidationError(_("The roster period must start on a Monday."))
    chosen = solver_settings()
    key = uuid.uuid4().hex
    job = Job(tenancy.municipality.pk, chosen.time_limit_seconds)
    with _JOBS_LOCK:
        JOBS[key] = job

    def progress(update: rostering.Progress) -> None:
        job.best_objective = update.objective
        job.solutions = update.solutions

    def work() -> None:
        try:
            roster = roster_solve(
                tenancy=tenancy,
                actor=actor,
                period_start=period_start,
                weeks=weeks,
                rules=rules,
                solver=chosen,
                on_progress=progress,
                stop=job.stop,
            )
            job.roster_id = roster.pk
        except Exception as error:  # shown on the progress page instead of lost in a thread
            job.error = str(error) or error.__class__.__name__
        finally:
            connection.close()

    threading.Thread(target=work, name=f"roster-{key}", daemon=True).start()
    return key


def job_for(tenancy: Tenancy, key: str) -> Job | None:
    """The job ``key`` of the tenancy's municipality, or None."""
    with _JOBS_LOCK:
        job = JOBS.get(key)
    if job is None or job.municipality_id != tenancy.municipality.pk:
        return None
    return job


def roster_publish(*, roster: Roster, rules: rostering.Rules | None = None) -> Roster:
    """Publish ``roster`` after the checker finds no violation of a hard rule (rules the
    manager made soft do not block); an earlier published version of the same period goes
    back to draft. Raises ValidationError with the number of violations."""
    violations = [v for v in roster_violations(roster=roster, rules=rules) if not v.soft]
    if roster.own_shortfalls().exists():
        raise ValidationError(_("The roster has unmet demand and cannot be published."))
    if violations:
        raise ValidationError(
            ngettext(
                "The roster breaks %(count)d rule and cannot be published.",
                "The roster breaks %(count)d rules and cannot be published.",
                len(violations),
            )
            % {"count": len(violations)}
        )
    with transaction.atomic():
        Roster.objects.filter(
            municipality=roster.municipality,
            period_start=roster.period_start,
            status=RosterStatus.PUBLISHED,
        ).exclude(pk=roster.pk).update(status=RosterStatus.DRAFT)
        roster.status = RosterStatus.PUBLISHED
        roster.published_at = timezone.now()
        roster.save(update_fields=["status", "published_at"])
    return roster


def roster_assignment_change(
    *, roster: Roster, staff: StaffMember, day: dt.date, shift: ShiftTemplate, add: bool
) -> list[rostering.Violation]:
    """Add or remove one assignment of a draft roster, then return the checker's
    violations of the changed roster (shown at once). Raises ValidationError for a
    published roster or a day outside the period."""
    if roster.status != RosterStatus.DRAFT:
        raise ValidationError(_("Only a draft roster can be changed."))
    if not roster.period_start <= day <= roster.period_end:
        raise ValidationError(_("The day is outside the roster period."))
    if add:
        Assignment.objects.get_or_create(
            municipality=roster.municipality, roster=roster, staff=staff, day=day, shift=shift
        )
    else:
        roster.own_assignments().filter(staff=staff, day=day, shift=shift).delete()
    return roster_violations(roster=roster)
