"""Writes to a municipality's organisation.

Each function is keyword-only, takes the municipality it acts in, and either does the whole
change in one transaction or nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from torg.organisation.models import Membership, Municipality, Role, Site, SiteModelPeriod
from torg.organisation.selectors import site_model_history

NO_OVERLAP_CONSTRAINT = "site_model_period_no_overlap"
VALID_RANGE_CONSTRAINT = "site_model_period_valid_range"


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
    if site.municipality_id != municipality.pk:
        raise ValueError("The site belongs to another municipality.")
    try:
        with transaction.atomic():
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


def membership_grant(
    *, username: str, municipality_slug: str, role: str, create_user: bool = False
) -> tuple[Membership, str | None]:
    """Give the user ``username`` the ``role`` in the municipality ``municipality_slug``
    (replacing any role they had there). With ``create_user``, a missing user is created
    with a generated password, which is returned (``None`` otherwise).

    Raises :class:`ValidationError` naming what is wrong: an unknown municipality (listing
    the valid slugs), an unknown role (listing the roles), or an unknown user without
    ``create_user``.
    """
    import secrets

    from django.contrib.auth import get_user_model

    if role not in Role.values:
        raise ValidationError(
            _("There is no role %(role)s; the roles are: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    municipality = Municipality.objects.filter(slug=municipality_slug).first()
    if municipality is None:
        slugs = ", ".join(Municipality.objects.order_by("slug").values_list("slug", flat=True)[:40])
        raise ValidationError(
            _("There is no municipality %(slug)s. Valid municipalities: %(slugs)s.")
            % {"slug": municipality_slug, "slugs": slugs or "-"}
        )
    User = get_user_model()
    password: str | None = None
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create_user:
                raise ValidationError(
                    _("There is no user %(username)s; add --create to create one.")
                    % {"username": username}
                )
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username=username, password=password)
        membership, _created = Membership.objects.update_or_create(
            user=user, municipality=municipality, defaults={"role": role}
        )
    return membership, password
