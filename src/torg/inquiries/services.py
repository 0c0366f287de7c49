"""Writes of the inquiry log: record an inquiry at the desk, correct it, delete it.

Each write and its :class:`~torg.inquiries.models.InquiryChange` audit row are committed in
one transaction. Who may do what (``torg.organisation.roles``):

* ``record_inquiries`` (desk staff, managers, administrators) records inquiries, and
  corrects or deletes *their own* for ``settings.TORG_INQUIRY_EDIT_MINUTES`` minutes after
  recording them (default 60);
* ``correct_inquiries`` (managers, administrators) corrects or deletes any inquiry of the
  municipality at any time. Memberships are per municipality, not per site, so a
  manager's "sites" are all the sites of the municipality.

Refusals raise :class:`~django.core.exceptions.PermissionDenied`; invalid values raise
:class:`~django.core.exceptions.ValidationError` with messages by field name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from torg.catalogue.models import Service
from torg.db.insert import insert
from torg.inquiries.models import (
    NOTE_MAX_LENGTH,
    AgeGroup,
    ChangeAction,
    Channel,
    DurationBand,
    Inquiry,
    InquiryChange,
    Language,
    Outcome,
    UserType,
)
from torg.lib.pii import ScrubResult, scrub
from torg.organisation.models import ServicePoint, Site
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy

#: A desk tablet's clock may run a little ahead of the server's; an inquiry up to this far
#: in the future is accepted, anything later is refused as a typing error.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
#: Longest client key (a UUID has 36 characters).
CLIENT_KEY_MAX_LENGTH = 100

#: The fields a correction may change, and that the audit log records.
CORRECTABLE_FIELDS = (
    "site",
    "service_point",
    "occurred_at",
    "channel",
    "service",
    "read_effort",
    "outcome",
    "user_type",
    "age_group",
    "language",
    "duration_band",
    "note",
)
_AUDITED_FIELDS = (*CORRECTABLE_FIELDS, "domain", "time_of_day_known")
_FOREIGN_KEYS = {"site", "service_point", "service"}

#: Outcomes a person at the desk may choose ("not recorded" is for imported rows).
DESK_OUTCOMES = [value for value in Outcome.values if value != Outcome.NOT_RECORDED]
# The allowed values, computed once (Django's ``Choices.values`` builds a new list on
# every access, a tenth of a millisecond per inquiry checked).
_CHANNELS = frozenset(Channel.values)
_DESK_OUTCOMES = frozenset(DESK_OUTCOMES)
_OPTIONAL_CHOICES = (
    ("user_type", frozenset(["", *UserType.values])),
    ("age_group", frozenset(["", *AgeGroup.values])),
    ("language", frozenset(["", *Language.values])),
    ("duration_band", frozenset(["", *DurationBand.values])),
)


class Recorded(NamedTuple):
    """What :func:`inquiry_record` did: the ``inquiry``, what the privacy scrub removed
    from its note (``None`` without a note), and whether it ``created`` a new row
    (``False`` when the client key named an inquiry recorded before)."""

    inquiry: Inquiry
    scrub: ScrubResult | None
    created: bool


def late_limit() -> dt.timedelta:
    """How far back a desk or API inquiry may be dated (``TORG_INQUIRY_LATE_DAYS`` days,
    default 31), counted back from when it is recorded. Imports carry history and are not
    limited."""
    return dt.timedelta(days=settings.TORG_INQUIRY_LATE_DAYS)


def _too_early_message() -> str:
    days = settings.TORG_INQUIRY_LATE_DAYS
    return ngettext(
        "An inquiry can be recorded at most %(days)s day after it happened.",
        "An inquiry can be recorded at most %(days)s days after it happened.",
        days,
    ) % {"days": days}


def edit_window() -> dt.timedelta:
    """How long desk staff may change their own inquiries (``TORG_INQUIRY_EDIT_MINUTES``)."""
    return dt.timedelta(minutes=settings.TORG_INQUIRY_EDIT_MINUTES)


def inquiry_may_change(
    *, tenancy: Tenancy, user: User, inquiry: Inquiry, now: dt.datetime | None = None
) -> bool:
    """Whether ``user`` acting in ``tenancy`` may correct or delete ``inquiry`` at ``now``
    (default: the current instant): anyone's with ``correct_inquiries``; with
    ``record_inquiries`` only their own, for :func:`edit_window` after ``recorded_at``."""
    if inquiry.municipality_id != tenancy.municipality.pk:
        return False
    if not tenancy.covers_site(inquiry.site_id):
        return False
    if tenancy.allows(Permission.CORRECT_INQUIRIES):
        return True
    if not tenancy.allows(Permission.RECORD_INQUIRIES):
        return False
    if inquiry.created_by_id is None or inquiry.created_by_id != user.pk:
        return False
    if inquiry.recorded_at is None:
        return False
    return (now or timezone.now()) - inquiry.recorded_at <= edit_window()


def _require_may_change(tenancy: Tenancy, user: User, inquiry: Inquiry, now: dt.datetime) -> None:
    if not inquiry_may_change(tenancy=tenancy, user=user, inquiry=inquiry, now=now):
        raise PermissionDenied(
            _(
                "You may change only your own inquiries, and only for %(minutes)s minutes "
                "after recording them; a manager can correct it."
            )
            % {"minutes": settings.TORG_INQUIRY_EDIT_MINUTES}
        )


def _one_of(value: Any, choices: frozenset[str]) -> bool:
    return isinstance(value, str) and value in choices


def _clean(
    tenancy: Tenancy,
    values: dict[str, Any],
    *,
    now: dt.datetime,
    unchanged_service: Service | None = None,
    late_from: dt.datetime | None = None,
) -> dict[str, str]:
    """Check ``values`` (the fields of :data:`CORRECTABLE_FIELDS`) and return the errors by
    field (empty when all is well). ``unchanged_service`` may be inactive (a correction
    keeps the service an inquiry already has).

    ``occurred_at`` may lie at most :func:`late_limit` before ``late_from`` (the instant
    the inquiry is, or was, recorded); ``None`` checks no lower limit (an unchanged time,
    an imported inquiry)."""
    errors: dict[str, str] = {}
    municipality_id = tenancy.municipality.pk
    site: Site | None = values.get("site")
    if site is None or site.municipality_id != municipality_id:
        errors["site"] = _("Choose a site of this municipality.")
    elif not tenancy.covers_site(site):
        errors["site"] = _("Choose one of your own sites.")
    point: ServicePoint | None = values.get("service_point")
    if point is not None and (
        point.municipality_id != municipality_id or site is None or point.site_id != site.pk
    ):
        errors["service_point"] = _("Choose a service point of the chosen site.")
    service: Service | None = values.get("service")
    if service is not None and (
        service.municipality_id != municipality_id
        or (not service.is_active and service != unchanged_service)
    ):
        errors["service"] = _("Choose an active service of this municipality's catalogue.")
    occurred_at: dt.datetime | None = values.get("occurred_at")
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = _("Give the date and time of the inquiry.")
    elif occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = _("The inquiry cannot be in the future.")
    elif late_from is not None and occurred_at < late_from - late_limit():
        errors["occurred_at"] = _too_early_message()
    if not _one_of(values.get("channel"), _CHANNELS):
        errors["channel"] = _("Choose a channel.")
    if not _one_of(values.get("outcome"), _DESK_OUTCOMES):
        errors["outcome"] = _("Choose an outcome.")
    effort = values.get("read_effort")
    if effort is not None and (not isinstance(effort, int) or not 1 <= effort <= 6):
        errors["read_effort"] = _("Choose a READ effort from 1 to 6.")
    for name, choices in _OPTIONAL_CHOICES:
        if not _one_of(values.get(name, ""), choices):
            errors[name] = _("Choose one of the listed values.")
    note = values.get("note", "")
    if not isinstance(note, str) or len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("The note may be at most %(max)s characters long.") % {
            "max": NOTE_MAX_LENGTH
        }
    return errors


def _scrubbed_note(note: str) -> tuple[str, ScrubResult | None]:
    if not note.strip():
        return "", None
    result = scrub(note.strip())
    if len(result.text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": _("The note may be at most %(max)s characters long.")
                % {"max": NOTE_MAX_LENGTH}
            }
        )
    return result.text, result


def _json_value(inquiry: Inquiry, name: str) -> Any:
    if name in _FOREIGN_KEYS:
        return getattr(inquiry, f"{name}_id")
    value = getattr(inquiry, name)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def inquiry_snapshot(inquiry: Inquiry) -> dict[str, Any]:
    """The audited fields of ``inquiry`` as JSON values: ids for sites, service points and
    services, ISO 8601 in UTC for ``occurred_at``."""
    return {name: _json_value(inquiry, name) for name in _AUDITED_FIELDS}


def _by_client_key(tenancy: Tenancy, key: str) -> Inquiry | None:
    return tenancy.scoped(Inquiry).filter(client_key=key).first()


def _replayed(existing: Inquiry, user: User, scrubbed: ScrubResult | None) -> Recorded:
    if existing.created_by_id != user.pk:
        raise ValidationError(
            {"client_key": _("This client key was already used by someone else. Reload the page.")}
        )
    return Recorded(inquiry=existing, scrub=scrubbed, created=False)


class InquiryDraft(NamedTuple):
    """A checked inquiry not yet saved (:func:`inquiry_record_check`): the unsaved
    ``inquiry`` with its scrubbed note, and what the scrub ``removed`` (``None`` without a
    note)."""

    inquiry: Inquiry
    scrub: ScrubResult | None


def inquiry_record_check(
    *,
    tenancy: Tenancy,
    user: User,
    site: Site,
    occurred_at: dt.datetime,
    channel: str,
    outcome: str,
    service_point: ServicePoint | None = None,
    service: Service | None = None,
    read_effort: int | None = None,
    user_type: str = "",
    age_group: str = "",
    language: str = "",
    duration_band: str = "",
    note: str = "",
    client_key: str | None = None,
    now: dt.datetime | None = None,
) -> InquiryDraft:
    """The reads and checks of :func:`inquiry_record`, without writing anything: the
    permission, the values (by field), the note's privacy scrub. Returns the unsaved
    inquiry for :func:`inquiry_record_save`.

    Callers that must hold a write lock for as short a time as possible (the API: SQLite
    has one writer at a time) run this before their transaction and only the save inside
    it. Raises as :func:`inquiry_record` does.
    """
    tenancy.require(Permission.RECORD_INQUIRIES)
    now = now or timezone.now()
    key = (client_key or "").strip() or None
    if key is not None and len(key) > CLIENT_KEY_MAX_LENGTH:
        raise ValidationError({"client_key": _("The client key is too long.")})
    values: dict[str, Any] = {
        "site": site,
        "service_point": service_point,
        "occurred_at": occurred_at,
        "channel": channel,
        "service": service,
        "read_effort": read_effort,
        "outcome": outcome,
        "user_type": user_type,
        "age_group": age_group,
        "language": language,
        "duration_band": duration_band,
        "note": note,
    }
    errors = _clean(tenancy, values, now=now, late_from=now)
    if errors:
        raise ValidationError(errors)
    clean_note, scrubbed = _scrubbed_note(note)
    inquiry = Inquiry(
        municipality=tenancy.municipality,
        **{**values, "note": clean_note},
        domain=Inquiry.domain_for(service),
        time_of_day_known=True,
        created_by=user,
        recorded_at=now,
        updated_at=now,
        client_key=key,
    )
    return InquiryDraft(inquiry=inquiry, scrub=scrubbed)


def inquiry_record_save(
    *, tenancy: Tenancy, user: User, draft: InquiryDraft, in_savepoint: bool = True
) -> Recorded:
    """Save a checked inquiry (:func:`inquiry_record_check`) with its audit row: two
    INSERTs, nothing read first.

    When the inquiry's client key is already taken (the unique constraint on municipality
    and client key decides, also between concurrent requests), nothing is written and the
    inquiry stored first is returned with ``created=False``; the key of another user's
    inquiry is a :class:`ValidationError`. For that the INSERTs run in a savepoint inside
    the caller's transaction (or in a transaction of their own).

    ``in_savepoint=False`` is for a caller that holds a write transaction and recovers
    from a taken key itself (the API's idempotent writes, :mod:`torg.api.idempotency`,
    answer with the stored response of the request that won): the INSERTs then run
    directly in that transaction, without the two extra statements of a savepoint, and a
    taken key raises :class:`~django.db.IntegrityError`, after which the caller's
    transaction must be rolled back (on PostgreSQL it can do nothing else).
    """
    inquiry = draft.inquiry
    if inquiry.pk is not None:
        raise ValueError("This draft has been saved already.")
    if not in_savepoint:
        if not transaction.get_connection().in_atomic_block:
            raise ValueError("in_savepoint=False needs the caller's transaction.")
        _insert_with_audit_row(tenancy, user, inquiry)
        return Recorded(inquiry=inquiry, scrub=draft.scrub, created=True)
    try:
        with transaction.atomic():
            _insert_with_audit_row(tenancy, user, inquiry)
    except IntegrityError:
        inquiry.pk = None  # rolled back: the draft is unsaved again
        inquiry._state.adding = True
        # A concurrent request with the same key committed first.
        key = inquiry.client_key
        existing = _by_client_key(tenancy, key) if key is not None else None
        if existing is None:
            raise
        return _replayed(existing, user, draft.scrub)
    return Recorded(inquiry=inquiry, scrub=draft.scrub, created=True)


def _insert_with_audit_row(tenancy: Tenancy, user: User, inquiry: Inquiry) -> None:
    recorded_at = inquiry.recorded_at
    assert recorded_at is not None  # set by inquiry_record_check
    # Two plain INSERTs (torg.db.insert): they run while SQLite's write lock is held.
    insert(inquiry)
    insert(
        InquiryChange(
            municipality=tenancy.municipality,
            inquiry=inquiry,
            inquiry_number=inquiry.pk,
            action=ChangeAction.CREATE,
            changed_by=user,
            changed_at=recorded_at,
            before={},
            after=inquiry_snapshot(inquiry),
        )
    )


def inquiry_record(
    *,
    tenancy: Tenancy,
    user: User,
    site: Site,
    occurred_at: dt.datetime,
    channel: str,
    outcome: str,
    service_point: ServicePoint | None = None,
    service: Service | None = None,
    read_effort: int | None = None,
    user_type: str = "",
    age_group: str = "",
    language: str = "",
    duration_band: str = "",
    note: str = "",
    client_key: str | None = None,
    now: dt.datetime | None = None,
) -> Recorded:
    """Record one inquiry made at the desk by ``user`` and audit it.

    ``occurred_at`` is an aware instant (an earlier one records late, at most
    :func:`late_limit` before ``now``, and at most 5 minutes after it); ``recorded_at`` is
    ``now`` (default: the current instant). ``service_point``, ``service`` and
    ``read_effort`` are optional (``None``: not recorded). The domain follows from ``service``
    (:meth:`Inquiry.domain_for`). The note goes through :func:`torg.lib.pii.scrub`; the
    returned :class:`Recorded` says what was removed.

    ``client_key`` (at most 100 characters, e.g. a UUID made by the desk page per entry)
    makes the call idempotent: the same key again, also concurrently, returns the inquiry
    stored first with ``created=False`` and writes nothing (the unique constraint on
    municipality and client key decides a race). The key of another user's inquiry is a
    validation error.

    Raises :class:`PermissionDenied` without ``record_inquiries`` and
    :class:`ValidationError` (by field) for values outside the municipality or the choices.
    It is :func:`inquiry_record_check`, a look-up of the client key, then
    :func:`inquiry_record_save`.
    """
    draft = inquiry_record_check(
        tenancy=tenancy,
        user=user,
        site=site,
        service_point=service_point,
        occurred_at=occurred_at,
        channel=channel,
        service=service,
        read_effort=read_effort,
        outcome=outcome,
        user_type=user_type,
        age_group=age_group,
        language=language,
        duration_band=duration_band,
        note=note,
        client_key=client_key,
        now=now,
    )
    key = draft.inquiry.client_key
    if key is not None:
        existing = _by_client_key(tenancy, key)
        if existing is not None:
            return _replayed(existing, user, draft.scrub)
    return inquiry_record_save(tenancy=tenancy, user=user, draft=draft)


def inquiry_correct(
    *,
    tenancy: Tenancy,
    user: User,
    inquiry: Inquiry,
    changes: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> tuple[Inquiry, ScrubResult | None]:
    """Change the fields named in ``changes`` (keys of :data:`CORRECTABLE_FIELDS`, values
    as for :func:`inquiry_record`) and audit the fields that really changed, with their
    values before and after (a moved ``occurred_at`` too). Nothing changed: no write, no
    audit row.

    Returns the inquiry and the scrub result of a new note (``None`` when the note was not
    given or is empty). Raises :class:`PermissionDenied` unless
    :func:`inquiry_may_change`, :class:`ValidationError` by field for bad values or unknown
    field names.
    """
    now = now or timezone.now()
    _require_may_change(tenancy, user, inquiry, now)
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be corrected.") for name in unknown})
    values = {name: getattr(inquiry, name) for name in CORRECTABLE_FIELDS}
    values.update(changes)
    # A moved time keeps within the limit counted from when the inquiry was recorded
    # (imported inquiries have no recorded_at: they carry history and are not limited).
    moved = values["occurred_at"] != inquiry.occurred_at
    errors = _clean(
        tenancy,
        values,
        now=now,
        unchanged_service=inquiry.service,
        late_from=inquiry.recorded_at if moved else None,
    )
    if errors:
        raise ValidationError(errors)
    scrubbed: ScrubResult | None = None
    if "note" in changes:
        values["note"], scrubbed = _scrubbed_note(str(changes["note"]))
    before = inquiry_snapshot(inquiry)
    for name, value in values.items():
        setattr(inquiry, name, value)
    inquiry.domain = Inquiry.domain_for(inquiry.service)
    after = inquiry_snapshot(inquiry)
    changed = [name for name in _AUDITED_FIELDS if before[name] != after[name]]
    if not changed:
        return inquiry, scrubbed
    inquiry.updated_at = now
    with transaction.atomic():
        inquiry.save()
        InquiryChange.objects.create(
            municipality=tenancy.municipality,
            inquiry=inquiry,
            inquiry_number=inquiry.pk,
            action=ChangeAction.UPDATE,
            changed_by=user,
            changed_at=now,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return inquiry, scrubbed


def inquiry_delete(
    *,
    tenancy: Tenancy,
    user: User,
    inquiry: Inquiry,
    now: dt.datetime | None = None,
) -> int:
    """Delete ``inquiry`` and keep a snapshot of it in an audit row (action ``delete``,
    ``before`` = :func:`inquiry_snapshot`). Returns the deleted inquiry's id.

    Raises :class:`PermissionDenied` unless :func:`inquiry_may_change`, and
    :class:`ValidationError` when other records (a referral, say) still point at it.
    """
    now = now or timezone.now()
    _require_may_change(tenancy, user, inquiry, now)
    number = inquiry.pk
    snapshot = inquiry_snapshot(inquiry)
    try:
        with transaction.atomic():
            inquiry.delete()
            InquiryChange.objects.create(
                municipality=tenancy.municipality,
                inquiry=None,
                inquiry_number=number,
                action=ChangeAction.DELETE,
                changed_by=user,
                changed_at=now,
                before=snapshot,
                after={},
            )
    except ProtectedError as error:
        raise ValidationError(
            _(
                "This inquiry has a referral or other records that depend on it; it cannot be deleted."
            )
        ) from error
    return number
