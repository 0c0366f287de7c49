"""Digital inquiries from a mail system, web form or chat tool (``digital-inquiries``): one
row per message that came in, into the digital queue (:mod:`torg.referrals`).

Columns (header names in English or Norwegian, case-insensitive):

* ``id`` (required; also ``message_id``, ``ticket``, ``sak``) → ``source_key``
  ``digital:<id>``. Importing the same messages again adds nothing **and changes nothing**:
  a message already in the queue keeps its team, assignee and status, so a later export
  of the mail system never reopens what the team has closed. (This is why the profile
  inserts only and never updates, unlike the statistics profiles.)
* ``received`` (required; also ``received_at``, ``mottatt``, ``tidspunkt``) → when it came
  in: ISO 8601 with its UTC offset, or local time in the municipality's default time zone.
* ``channel`` (required; also ``kanal``): e-mail (``email``, ``e-mail``, ``e-post``,
  ``epost``), web form (``web form``, ``form``, ``skjema``, ``webskjema``) or chat
  (``chat``, ``chatbot``).
* ``summary`` (optional; also ``subject``, ``emne``, ``oppsummering``): a short subject,
  scrubbed of personal data by :func:`torg.lib.pii.scrub` before it is stored.
* ``service`` (optional; also ``tjeneste``): a service of the catalogue by code, name or
  synonym; unknown text keeps no service and is counted in the summary.
* ``team`` (optional; also ``team``, ``kø``): the team whose queue it goes to, by name
  (an unknown team is an error naming the row). With a team, the service-level clock
  starts at ``received`` (``due_at``); without one, it waits for triage.

Privacy: sender, address, body, attachments and any other column are never read; they are
listed as ignored columns in the summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_noop

from torg.imports.framework import (
    Column,
    ImportRun,
    Profile,
    Record,
    RowError,
    Scope,
    UpsertWriter,
    choice_parser,
)
from torg.imports.profiles.common import ServiceMatcher, local_instant
from torg.imports.registry import register
from torg.lib.pii import scrub
from torg.organisation.scoping import scoped
from torg.organisation.selectors import default_time_zone
from torg.referrals.models import DigitalChannel, DigitalInquiry, DigitalStatus, Team

KEY_PREFIX = "digital:"
KEY_LENGTH = 120  # DigitalInquiry.source_key's max_length

CHANNELS = {
    "email": DigitalChannel.EMAIL,
    "e-mail": DigitalChannel.EMAIL,
    "e-post": DigitalChannel.EMAIL,
    "epost": DigitalChannel.EMAIL,
    "web form": DigitalChannel.WEB_FORM,
    "web_form": DigitalChannel.WEB_FORM,
    "form": DigitalChannel.WEB_FORM,
    "skjema": DigitalChannel.WEB_FORM,
    "webskjema": DigitalChannel.WEB_FORM,
    "chat": DigitalChannel.CHAT,
    "chatbot": DigitalChannel.CHAT,
}


def message_id(text: str) -> str:
    value = text.strip()
    if len(KEY_PREFIX) + len(value) > KEY_LENGTH:
        raise ValueError(f"is longer than the {KEY_LENGTH - len(KEY_PREFIX)} characters Torg keeps")
    return value


class InsertOnlyWriter(UpsertWriter):
    """:class:`UpsertWriter` that inserts the records whose key is new and leaves every
    stored row as it is (counted as unchanged): a queue item's state belongs to Torg once
    it has come in."""

    def write(self, records: Sequence[Record], **kwargs: Any) -> tuple[int, int, int]:
        scope = kwargs.get("scope")
        if not records:
            return 0, 0, 0
        existing = self._existing(records, scope) if self.model._default_manager.exists() else {}
        new = [record for record in records if self.key_of(record) not in existing]
        created, _updated, _same = super().write(new, **kwargs) if new else (0, 0, 0)
        return created, 0, len(records) - created


@register
class DigitalInquiriesProfile(Profile):
    name = "digital-inquiries"
    title = gettext_noop("Digital inquiries (e-mail, web form, chat) into the queue")
    scope = Scope.TENANT
    source = "a mail system, web form or chat tool's export"
    item_noun = "message"
    columns = (
        Column("id", "id", parse=message_id, aliases=("message_id", "ticket", "sak")),
        Column(
            "received",
            "received",
            parse=str.strip,
            aliases=("received_at", "mottatt", "tidspunkt"),
        ),
        Column(
            "channel",
            "channel",
            parse=choice_parser(CHANNELS, what="channel"),
            aliases=("kanal",),
        ),
        Column(
            "summary",
            "summary",
            parse=str.strip,
            allow_empty=True,
            optional=True,
            aliases=("subject", "emne", "oppsummering"),
        ),
        Column(
            "service",
            "service",
            parse=str.strip,
            allow_empty=True,
            optional=True,
            aliases=("tjeneste",),
        ),
        Column("team", "team", parse=str.strip, allow_empty=True, optional=True, aliases=("kø",)),
    )
    key_columns = ("id",)

    def writer(self) -> UpsertWriter:
        return InsertOnlyWriter(DigitalInquiry, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.zone = default_time_zone(municipality)
        self.services = ServiceMatcher(municipality)
        self.teams = {
            team.name.casefold(): team for team in scoped(Team, municipality).filter(is_active=True)
        }
        self.removed = 0

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        try:
            received_at = local_instant(values["received"], self.zone)
        except ValueError as error:
            raise RowError(
                str(error), run.headers.get("received", "received"), values["received"]
            ) from None
        team = None
        if values.get("team"):
            team = self.teams.get(values["team"].casefold())
            if team is None:
                known = ", ".join(sorted(t.name for t in self.teams.values())) or "-"
                raise RowError(
                    f"no active team is called this; the teams: {known}",
                    run.headers.get("team", "team"),
                    values["team"],
                )
        service = self.services.get(values.get("service"))
        cleaned = scrub(values.get("summary") or "")
        self.removed += len(cleaned.removals)
        return {
            "municipality_id": self.municipality_id,
            "channel": values["channel"],
            "received_at": received_at,
            "summary": cleaned.text,
            "service_id": service.pk if service else None,
            "team_id": team.pk if team else None,
            "status": DigitalStatus.NEW,
            "due_at": received_at + dt.timedelta(hours=team.service_level_hours) if team else None,
            "source_key": f"{KEY_PREFIX}{values['id']}",
        }

    def summary_notes(self) -> list[str]:
        notes = []
        if self.removed:
            notes.append(f"{self.removed} piece(s) of personal data removed from the summaries")
        unmapped = self.services.unmapped_note("message(s)")
        if unmapped:
            notes.append(unmapped)
        return notes

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"id {str(key[1]).removeprefix(KEY_PREFIX)}"
