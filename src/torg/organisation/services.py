"""Writes to a municipality's organisation.

Each function is keyword-only, takes the municipality it acts in, and either does the whole
change in one transaction or nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from torg.organisation.models import (
    SITE_BOUND_ROLES,
    Membership,
    Municipality,
    OpeningHours,
    Role,
    ServicePoint,
    Site,
    SiteModelPeriod,
    Weekday,
)
from torg.organisation.selectors import site_model_history

NO_OVERLAP_CONSTRAINT = "site_model_period_no_overlap"
VALID_RANGE_CONSTRAINT = "site_model_period_valid_range"

#: Corrections and deletions of the model history, one line each with before and after.
audit = logging.getLogger("torg.audit")


@contextmanager
def _period_refusals() -> Iterator[None]:
    """Turn the database's refusal of a period (an overlap, an end before the start) into
    a :class:`ValidationError` keyed by the field a form shows it next to."""
    try:
        yield
    except IntegrityError as error:
        message = str(error)
        if NO_OVERLAP_CONSTRAINT in message:
            raise ValidationError(
                {
                    "valid_from": _(
                        "This period overlaps another period of the site's model history. "
                        "End the other period first, or choose other dates."
                    )
                },
                code="overlap",
            ) from error
        if VALID_RANGE_CONSTRAINT in message:
            raise ValidationError(
                {"valid_to": _("The last day cannot come before the first day.")},
                code="range",
            ) from error
        raise


def _check_tenant(municipality: Municipality, site_municipality_id: int) -> None:
    if site_municipality_id != municipality.pk:
        raise ValueError("The site belongs to another municipality.")


def _describe(period: SiteModelPeriod) -> str:
    end = period.valid_to.isoformat() if period.valid_to else "open"
    return (
        f"{period.model} {period.valid_from.isoformat()}..{end} "
        f"co_organised={period.co_organised} co_located={period.co_located}"
    )


def site_model_period_add(
    *,
    municipality: Municipality,
    site: Site,
    model: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    co_organised: bool = True,
    co_located: bool = False,
    note: str = "",
    close_open_period: bool = False,
) -> SiteModelPeriod:
    """Add a period to the organisational model history of ``site``.

    ``valid_from`` and ``valid_to`` are inclusive local dates; ``valid_to=None`` means "until
    further notice". With ``close_open_period``, an open-ended period that started before
    ``valid_from`` is first ended on the day before ``valid_from`` (the usual case when a
    site changes model), in the same transaction.

    The database refuses overlapping periods (migration 0002: a trigger on SQLite, an
    exclusion constraint on PostgreSQL). That refusal, and the check that ``valid_to`` is
    not before ``valid_from``, are turned into a :class:`ValidationError` keyed by field
    (``valid_from`` or ``valid_to``) so a form can show them; nothing is written then.
    Raises ``ValueError`` when ``site`` belongs to another municipality.
    """
    _check_tenant(municipality, site.municipality_id)
    with _period_refusals(), transaction.atomic():
        if close_open_period:
            site_model_history(site).filter(
                valid_to__isnull=True, valid_from__lt=valid_from
            ).update(valid_to=valid_from - dt.timedelta(days=1))
        return SiteModelPeriod.objects.create(
            municipality=municipality,
            site=site,
            model=model,
            valid_from=valid_from,
            valid_to=valid_to,
            co_organised=co_organised,
            co_located=co_located,
            note=note,
        )


def site_model_period_update(
    *,
    municipality: Municipality,
    period: SiteModelPeriod,
    model: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    co_organised: bool = True,
    co_located: bool = False,
    note: str = "",
    actor: str = "",
) -> SiteModelPeriod:
    """Correct a period of a site's organisational model history: every field may change
    except the site.

    The same rules as :func:`site_model_period_add`: inclusive local dates, ``valid_to=None``
    for "until further notice", no overlap with another period of the site (the database
    refuses it) and no end before the start; a refusal is a :class:`ValidationError` keyed
    by field and nothing is written. The change is logged to ``torg.audit`` with the values
    before and after and ``actor`` (who made it). Raises ``ValueError`` when ``period``
    belongs to another municipality.
    """
    _check_tenant(municipality, period.municipality_id)
    before = _describe(period)
    with _period_refusals(), transaction.atomic():
        locked = site_model_history(period.site).select_for_update().get(pk=period.pk)
        locked.model = model
        locked.valid_from = valid_from
        locked.valid_to = valid_to
        locked.co_organised = co_organised
        locked.co_located = co_located
        locked.note = note
        locked.save()
    audit.info(
        "model period %s of site %s in %s changed by %s: %s -> %s",
        locked.pk,
        locked.site_id,
        municipality.slug,
        actor or "?",
        before,
        _describe(locked),
    )
    return locked


def site_model_period_delete(
    *, municipality: Municipality, period: SiteModelPeriod, actor: str = ""
) -> None:
    """Delete a period of a site's organisational model history (a mistake; a model that
    ended is recorded by giving the period a last day instead).

    The deletion is logged to ``torg.audit`` with the period's values and ``actor``. The
    neighbouring periods are not moved: the days the period covered have no model
    afterwards. Raises ``ValueError`` when ``period`` belongs to another municipality, and
    ``SiteModelPeriod.DoesNotExist`` when it is already gone.
    """
    _check_tenant(municipality, period.municipality_id)
    description = _describe(period)
    with transaction.atomic():
        deleted, _counts = site_model_history(period.site).filter(pk=period.pk).delete()
    if not deleted:
        raise SiteModelPeriod.DoesNotExist("The period was already deleted.")
    audit.info(
        "model period %s of site %s in %s deleted by %s: %s",
        period.pk,
        period.site_id,
        municipality.slug,
        actor or "?",
        description,
    )


def membership_grant(
    *,
    username: str,
    municipality_slug: str,
    role: str,
    create_user: bool = False,
    force: bool = False,
    sites: Sequence[str] | None = None,
) -> tuple[Membership, str | None, str | None]:
    """Give the user ``username`` the ``role`` in the municipality ``municipality_slug``
    (replacing any role they had there). With ``create_user``, a missing user is created
    with a generated password. Returns ``(membership, password, previous_role)``: the
    password only for a created user, the role the user had there before (``None`` for a
    new member).

    Raises :class:`ValidationError` naming what is wrong: an unknown municipality (listing
    the valid slugs), an unknown role (listing the roles), an unknown user without
    ``create_user``, a user name that is blank, has spaces or control characters or fails
    the user model's own validators and length (150 for Django's user), a new user name
    that differs from an existing one only in case (``Kari`` beside ``kari``), or taking
    the administrator role from the municipality's last administrator without ``force``.

    ``sites`` binds a desk staff or manager membership to those sites of the municipality,
    each named by its code or its name (case does not matter); an empty sequence binds it
    to every site, ``None`` leaves the sites as they were. A name that matches no site, or
    sites given for an analyst or administrator (who always see the whole municipality),
    raise :class:`ValidationError`.
    """
    import secrets
    import unicodedata

    from django.contrib.auth import get_user_model
    from django.db.models import Field

    if role not in Role.values:
        raise ValidationError(
            _("There is no role %(role)s; the roles are: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if not username or username.isspace():
        raise ValidationError(_("Give a user name; it cannot be empty."))
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in username):
        raise ValidationError(
            _("The user name %(username)s has a space or a control character; it cannot.")
            % {"username": repr(username)}
        )
    municipality = Municipality.objects.filter(slug=municipality_slug).first()
    if municipality is None:
        if not municipality_slug.strip():
            raise ValidationError(_("Give a municipality; it cannot be empty."))
        slugs = _some(list(Municipality.objects.order_by("slug").values_list("slug", flat=True)))
        raise ValidationError(
            _("There is no municipality %(slug)s. Valid municipalities: %(slugs)s.")
            % {"slug": municipality_slug, "slugs": slugs}
        )
    User = get_user_model()
    name_field = User._meta.get_field(User.USERNAME_FIELD)
    password: str | None = None
    with transaction.atomic():
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            # iexact is case-insensitive for every letter in PostgreSQL, for ASCII in SQLite.
            other = next(
                (
                    name
                    for name in User.objects.filter(
                        **{f"{User.USERNAME_FIELD}__iexact": username}
                    ).values_list(User.USERNAME_FIELD, flat=True)
                    if str(name).casefold() == username.casefold()
                ),
                None,
            )
            if other is None and not username.isascii():
                other = next(
                    (
                        name
                        for name in User.objects.values_list(
                            User.USERNAME_FIELD, flat=True
                        ).iterator()
                        if str(name).casefold() == username.casefold()
                    ),
                    None,
                )
            if other is not None:
                raise ValidationError(
                    _(
                        "There is a user %(other)s already; user names that differ only in "
                        "case would be mistaken for each other. Use %(other)s, or choose "
                        "another name."
                    )
                    % {"other": other}
                )
            if not create_user:
                raise ValidationError(
                    _("There is no user %(username)s; add --create to create one.")
                    % {"username": username}
                )
            try:
                if isinstance(name_field, Field):  # the user model's own validators and length
                    name_field.clean(username, None)
            except ValidationError as error:
                raise ValidationError(
                    _("The user name %(username)s cannot be used: %(reasons)s")
                    % {"username": repr(username), "reasons": " ".join(error.messages)}
                ) from None
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username=username, password=password)
        existing = (
            Membership.objects.select_for_update()
            .filter(user=user, municipality=municipality)
            .first()
        )
        previous = existing.role if existing is not None else None
        if previous == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR and not force:
            # Locked, so that two demotions at once cannot both see the other administrator.
            administrators = set(
                Membership.objects.select_for_update()
                .filter(municipality=municipality, role=Role.ADMINISTRATOR)
                .values_list("user_id", flat=True)
            )
            last = administrators <= {user.pk}
        else:
            last = False
        if last:
            raise ValidationError(
                _(
                    "%(username)s is the last administrator of %(municipality)s; give another "
                    "member the administrator role first, or add --force."
                )
                % {"username": username, "municipality": municipality.name}
            )
        chosen = _sites_named(municipality, role, sites) if sites is not None else None
        membership, _created = Membership.objects.update_or_create(
            user=user, municipality=municipality, defaults={"role": role}
        )
        if chosen is not None:
            membership.sites.set(chosen)
        elif role not in SITE_BOUND_ROLES:
            # An analyst or administrator sees every site; sites kept from an earlier role
            # would come back unnoticed if the role changed again.
            membership.sites.clear()
    return membership, password, previous


def _some(names: list[str], limit: int = 20) -> str:
    """``names`` joined by commas, the first ``limit`` of them and how many more."""
    if not names:
        return "-"
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += " " + _("and %(count)s more") % {"count": len(names) - limit}
    return shown


def _sites_named(municipality: Municipality, role: str, names: Sequence[str]) -> list[Site]:
    """The sites of ``municipality`` named in ``names`` (code or name, any case)."""
    if names and role not in SITE_BOUND_ROLES:
        raise ValidationError(
            _(
                "Only desk staff and managers can be bound to sites; analysts and "
                "administrators always see the whole municipality."
            )
        )
    available = list(Site.objects.filter(municipality=municipality).order_by("name"))
    chosen: list[Site] = []
    for name in names:
        wanted = name.strip().casefold()
        if not wanted:
            raise ValidationError(_("Give a site name or code; it cannot be empty."))
        match = next(
            (
                site
                for site in available
                if wanted in (site.name.casefold(), (site.code or "").casefold())
            ),
            None,
        )
        if match is None:
            raise ValidationError(
                _("%(municipality)s has no site %(site)s. Its sites: %(sites)s.")
                % {
                    "municipality": municipality.name,
                    "site": repr(name),
                    "sites": _some([site.name for site in available]),
                }
            )
        chosen.append(match)
    return chosen


# --- Sites, service points and opening hours ---------------------------------------------

#: The fields of a site that its form edits.
SITE_FIELDS = (
    "name",
    "code",
    "address",
    "kind",
    "time_zone",
    "business_day_starts",
    "opened_year",
    "note",
)


def site_save(
    *, municipality: Municipality, site: Site | None, actor: str, **values: object
) -> Site:
    """Create a site of ``municipality`` (``site=None``) or change ``site``, from
    ``values`` (keys of :data:`SITE_FIELDS`). The name, and the code when given, must be
    unique in the municipality (case ignored); the time zone an IANA name.

    Raises :class:`ValidationError` keyed by field; nothing is written then. A change is
    logged to ``torg.audit`` with the values before and after. Raises ``ValueError`` when
    ``site`` belongs to another municipality.
    """
    if site is not None:
        _check_tenant(municipality, site.municipality_id)
    unknown = set(values) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"not site fields: {sorted(unknown)}")
    target = site or Site(municipality=municipality)
    before = {field: getattr(target, field) for field in SITE_FIELDS} if site else {}
    for field, value in values.items():
        setattr(target, field, value)
    errors: dict[str, list[str]] = {}
    others = Site.objects.filter(municipality=municipality).exclude(pk=target.pk)
    if others.filter(name__iexact=str(target.name).strip()).exists():
        errors["name"] = [_("The municipality has a site with this name already.")]
    if target.code and others.filter(code__iexact=str(target.code).strip()).exists():
        errors["code"] = [_("The municipality has a site with this code already.")]
    try:
        target.full_clean(exclude=["municipality"], validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target.save()
    after = {field: getattr(target, field) for field in SITE_FIELDS}
    changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    audit.info(
        "site %s %s in %s by %s: %s",
        "changed" if site else "created",
        target.pk,
        municipality.slug,
        actor,
        changed,
    )
    return target


def service_point_save(
    *,
    municipality: Municipality,
    site: Site,
    point: ServicePoint | None,
    actor: str,
    name: str,
    kind: str,
    is_active: bool = True,
) -> ServicePoint:
    """Add a service point to ``site`` (``point=None``) or change ``point``. The name must be
    unique at the site (case ignored). Raises :class:`ValidationError` keyed by field, and
    ``ValueError`` when the site or point belongs elsewhere."""
    _check_tenant(municipality, site.municipality_id)
    if point is not None and point.site_id != site.pk:
        raise ValueError("The service point belongs to another site.")
    name = name.strip()
    clash = ServicePoint.objects.filter(site=site, name__iexact=name)
    if point is not None:
        clash = clash.exclude(pk=point.pk)
    if clash.exists():
        raise ValidationError({"name": _("The site has a service point with this name already.")})
    target = point or ServicePoint(municipality=municipality, site=site)
    target.name, target.kind, target.is_active = name, kind, is_active
    target.full_clean(exclude=["municipality", "site"], validate_unique=False)
    target.save()
    audit.info(
        "service point %s of site %s saved by %s: %s %s active=%s",
        target.pk,
        site.pk,
        actor,
        name,
        kind,
        is_active,
    )
    return target


def opening_hours_add(
    *,
    municipality: Municipality,
    site: Site,
    actor: str,
    weekdays: Sequence[int],
    opens: dt.time,
    closes: dt.time,
    kind: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> list[OpeningHours]:
    """Add the same opening interval (local wall-clock ``opens``–``closes``, ``closes``
    after ``opens``) on each of ``weekdays`` (0 = Monday) of ``site``, valid from
    ``valid_from`` to ``valid_to`` (inclusive; ``None``: until further notice). An interval
    that overlaps one of the same kind, weekday and dates is refused, naming the weekday.
    All or nothing: raises :class:`ValidationError` keyed by field, writing nothing."""
    _check_tenant(municipality, site.municipality_id)
    errors: dict[str, str] = {}
    if not weekdays:
        errors["weekdays"] = _("Choose at least one weekday.")
    if closes <= opens:
        errors["closes"] = _("The closing time must come after the opening time.")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("The last day cannot come before the first day.")
    if errors:
        raise ValidationError(errors)
    end = valid_to or dt.date.max
    overlapping = (
        OpeningHours.objects.filter(site=site, kind=kind, weekday__in=weekdays)
        .filter(opens__lt=closes, closes__gt=opens, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    )
    clash = overlapping.order_by("weekday").first()
    if clash is not None:
        raise ValidationError(
            {
                "opens": _(
                    "%(weekday)s has opening hours of this kind at %(opens)s–%(closes)s that "
                    "overlap these; delete or change them first."
                )
                % {
                    "weekday": Weekday(clash.weekday).label,
                    "opens": clash.opens.strftime("%H:%M"),
                    "closes": clash.closes.strftime("%H:%M"),
                }
            }
        )
    with transaction.atomic():
        rows = [
            OpeningHours.objects.create(
                municipality=municipality,
                site=site,
                weekday=weekday,
                opens=opens,
                closes=closes,
                kind=kind,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            for weekday in sorted(set(weekdays))
        ]
    audit.info(
        "opening hours added to site %s by %s: %s %s-%s days %s from %s to %s",
        site.pk,
        actor,
        kind,
        opens,
        closes,
        sorted(set(weekdays)),
        valid_from,
        valid_to,
    )
    return rows


def opening_hours_delete(*, municipality: Municipality, hours: OpeningHours, actor: str) -> None:
    """Delete one opening interval, logging it to ``torg.audit``."""
    _check_tenant(municipality, hours.site.municipality_id)
    audit.info(
        "opening hours %s of site %s deleted by %s: weekday %s %s-%s %s",
        hours.pk,
        hours.site_id,
        actor,
        hours.weekday,
        hours.opens,
        hours.closes,
        hours.kind,
    )
    hours.delete()
