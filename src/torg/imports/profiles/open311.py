"""Open311 GeoReport v2 service requests: what a city's 311 system returns for
``GET requests.json`` (a JSON array of requests), or the same fields as CSV columns.

Specification: http://wiki.open311.org/GeoReport_v2/ ("GET Service Requests", response
fields). The XML format is not read; ask the server for ``.json``.

Each request becomes one :class:`~torg.inquiries.models.Inquiry` at one site (the ``site``
option, or the municipality's only site), at the service point named by the
``service_point`` option if given, with channel *digital form or app*:

* ``service_request_id`` (required) → ``source_key`` ``open311:<id>``: importing the same
  requests again, or a later export that repeats them, updates them instead of adding
  them twice. A request without an id (a server that has only given out a ``token``) is
  an error naming the request and key.
* ``requested_datetime`` (required) → ``occurred_at``: ISO 8601 with its UTC offset, as the
  spec requires (``2010-04-14T06:37:38-08:00``); a value without an offset is read as
  local time at the site.
* ``service_code``, then ``service_name`` → service in the municipality's catalogue, by
  code, name or synonym (:class:`~torg.imports.profiles.common.ServiceMatcher`). A city's
  codes rarely match Torg's catalogue; such requests keep no service (domain unknown) and
  are counted in the summary, not refused (the same choice as the desk log).
* ``status`` (required, ``open`` or ``closed``) → outcome. The outcome Torg records is what
  happened at the first contact (resolved at first line, referred, …). A GeoReport status
  says only whether the responsible agency has closed the request, and "closed" includes
  duplicates and requests refused (``status_notes`` tells, and is not read). So by
  default both are *not recorded*: a closed request is not counted as resolved at first
  line, which would inflate that share. The option ``closed_outcome=resolved`` reads
  "closed" as resolved instead, as the Alessandria profile reads its "chiusa".

Privacy: ``description``, ``status_notes``, ``address``, ``address_id``, ``zipcode``,
``lat``, ``long`` and ``media_url`` can hold personal data (a name in the description, a
citizen's home address, a photo) and are never read; they are listed as ignored columns in
the summary, together with ``agency_responsible``, ``service_notice``,
``updated_datetime`` and ``expected_datetime``, which the inquiry has no field for.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from torg.imports.framework import (
    Column,
    ImportRefused,
    ImportRun,
    Profile,
    Record,
    RowError,
    Scope,
    UpsertWriter,
    choice_parser,
)
from torg.imports.profiles.common import (
    ServiceMatcher,
    local_instant,
    service_point_of_run,
    site_of_run,
)
from torg.imports.registry import register
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome

KEY_PREFIX = "open311:"
KEY_LENGTH = 120  # Inquiry.source_key's max_length

# Fields of a GeoReport v2 request that may hold personal data: never read (see above).
PERSONAL_FIELDS = (
    "description",
    "status_notes",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)

STATUSES = {"open": "open", "closed": "closed"}
CLOSED_OUTCOMES = {"not_recorded": Outcome.NOT_RECORDED, "resolved": Outcome.RESOLVED}


def request_id(text: str) -> str:
    value = text.strip()
    if len(KEY_PREFIX) + len(value) > KEY_LENGTH:
        raise ValueError(f"is longer than the {KEY_LENGTH - len(KEY_PREFIX)} characters Torg keeps")
    return value


@register
class Open311Profile(Profile):
    name = "open311"
    title = gettext_noop("Open311 GeoReport v2 service requests (requests.json or CSV)")
    scope = Scope.TENANT
    source = "Open311 GeoReport v2, http://wiki.open311.org/GeoReport_v2/"
    item_noun = "request"
    options = {
        "site": "the site the requests belong to, by code or name, if there are several",
        "service_point": "the service point of that site that takes the requests, by name",
        "closed_outcome": "the outcome of a closed request: not_recorded (default) or resolved",
    }
    columns = (
        Column("service_request_id", "id", parse=request_id),
        Column("status", "status", parse=choice_parser(STATUSES, what="status")),
        Column("requested_datetime", "requested", parse=str.strip),
        Column("service_code", "service_code", parse=str.strip, allow_empty=True, optional=True),
        Column("service_name", "service_name", parse=str.strip, allow_empty=True, optional=True),
    )
    key_columns = ("service_request_id",)

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Inquiry, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.site = site_of_run(run, "An Open311 export")
        self.service_point = service_point_of_run(run, self.site)
        wanted = run.options.get("closed_outcome") or "not_recorded"
        if wanted not in CLOSED_OUTCOMES:
            raise ImportRefused(
                f"The closed_outcome option takes {' or '.join(CLOSED_OUTCOMES)}, not {wanted!r}."
            )
        self.closed_outcome = CLOSED_OUTCOMES[wanted]
        self.services = ServiceMatcher(municipality)

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        try:
            occurred_at = local_instant(values["requested"], self.site.time_zone)
        except ValueError as error:
            raise RowError(
                f"{error}; GeoReport v2 writes ISO 8601 like 2010-04-14T06:37:38-08:00",
                "requested_datetime",
                values["requested"],
            ) from None
        service = self.services.get(values.get("service_code"), values.get("service_name"))
        outcome = self.closed_outcome if values["status"] == "closed" else Outcome.NOT_RECORDED
        return {
            "municipality_id": self.municipality_id,
            "site_id": self.site.pk,
            "service_point_id": self.service_point.pk if self.service_point else None,
            "occurred_at": occurred_at,
            "time_of_day_known": True,
            "channel": Channel.DIGITAL_FORM,
            "service_id": service.pk if service else None,
            "domain": service.domain if service else InquiryDomain.UNKNOWN,
            "outcome": outcome,
            "read_effort": None,
            "source_key": f"{KEY_PREFIX}{values['id']}",
            "created_by_id": None,
        }

    def summary_notes(self) -> list[str]:
        note = self.services.unmapped_note("request(s)")
        return [note] if note else []

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"service_request_id {str(key[1]).removeprefix(KEY_PREFIX)}"
