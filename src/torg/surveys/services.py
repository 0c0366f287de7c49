"""Writes of the surveys app: create from a template, open a wave, answer, save and resume.

Every path that opens or copies a wave sets its anonymity once; :func:`wave_set_anonymity`
refuses a change after the first response (:class:`AnonymityLocked`; the API answers 409).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from torg.lib.pii import scrub
from torg.organisation.models import Municipality, Site
from torg.surveys.analysis import DONT_KNOW, check_min_group
from torg.surveys.models import (
    Answer,
    Background,
    InvitationToken,
    Item,
    ItemKind,
    Response,
    ResponseDraft,
    Section,
    Survey,
    Wave,
    WaveStatus,
)
from torg.surveys.scales import agree_scale
from torg.surveys.templates_builtin import TEMPLATES, SurveyTemplate

#: Most invitation tokens one call may create.
MAX_TOKENS = 5000


class SurveyError(Exception):
    """A user error in a survey write; the message is for the user."""


class WaveAlreadyOpened(SurveyError):
    """The form that opens a wave was sent again; ``wave`` is the wave it opened."""

    def __init__(self, wave: Wave) -> None:
        super().__init__("This wave was opened already.")
        self.wave = wave


class AnonymityLocked(SurveyError):
    """The wave already has responses, so its anonymity is fixed."""


class TokenInvalid(SurveyError):
    """The invitation token is unknown, belongs to another wave, or was used."""


class WaveNotOpen(SurveyError):
    """The wave does not accept answers."""


#: The letters of an invitation code: digits and capitals without the look-alikes 0/O and
#: 1/I/L (Crockford's Base32 leaves out I, L and O for the same reason). 31 letters.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet, not a secret
#: Letters per code, shown in groups of :data:`TOKEN_GROUP`: 20 × log2(31) ≈ 99 bits.
TOKEN_LENGTH = 20
TOKEN_GROUP = 4
_SEPARATORS = str.maketrans("", "", "- \t")


def normalise_token(raw: str) -> str:
    """An invitation code as typed (any case, with or without dashes or spaces) in the form
    it was hashed in: capitals, no separators. Codes made before the alphabet (URL-safe
    base64) are compared as they are, see :func:`token_hashes`."""
    return raw.strip().translate(_SEPARATORS).upper()


def token_hash(raw: str) -> str:
    """SHA-256 (hex) of an invitation token (normalised, :func:`normalise_token`); only this
    is stored."""
    return hashlib.sha256(normalise_token(raw).encode("utf-8")).hexdigest()


def token_hashes(raw: str) -> list[str]:
    """The hashes a typed code may be stored under: normalised, and as given (codes made
    with ``secrets.token_urlsafe`` before the unambiguous alphabet are case-sensitive)."""
    return [token_hash(raw), hashlib.sha256(raw.strip().encode("utf-8")).hexdigest()]


@transaction.atomic
def survey_create_from_template(
    *,
    municipality: Municipality,
    template_key: str,
    min_group: int = 5,
    free_text_min_group: int = 10,
    agree_levels: int = 2,
) -> Survey:
    """A new survey for ``municipality`` copied from the built-in template ``template_key``.

    Raises :class:`SurveyError` for an unknown template or a threshold below 3 (or a free-text
    threshold not above the minimum group size). The instrument itself is copied into each
    wave (:func:`wave_open`).
    """
    template = TEMPLATES.get(template_key)
    if template is None:
        raise SurveyError(f"Unknown survey template {template_key!r}.")
    try:
        check_min_group(min_group)
    except ValueError as error:
        raise SurveyError(str(error)) from error
    if free_text_min_group <= min_group:
        raise SurveyError("The free-text threshold must be above the minimum group size.")
    if not 1 <= agree_levels <= 3:
        raise SurveyError("Agreeing counts the highest 1, 2 or 3 levels.")
    return Survey.objects.create(
        municipality=municipality,
        template_key=template.key,
        audience=template.audience,
        title_nb=template.title["nb"],
        title_nn=template.title["nn"],
        title_en=template.title["en"],
        introduction_nb=template.introduction["nb"],
        introduction_nn=template.introduction["nn"],
        introduction_en=template.introduction["en"],
        randomise_statements=template.randomise_statements,
        min_group=min_group,
        free_text_min_group=free_text_min_group,
        agree_levels=agree_levels,
    )


def _choices_for(municipality: Municipality, background: str, given: Any) -> list[dict[str, str]]:
    if background == Background.SITE:
        return [
            {"code": str(site.pk), "nb": site.name, "nn": site.name, "en": site.name}
            for site in Site.objects.filter(municipality=municipality).order_by("name")
        ]
    if background == Background.MUNICIPALITY:
        name = municipality.name
        return [{"code": municipality.slug, "nb": name, "nn": name, "en": name}]
    return [{"code": code, **label} for code, label in given]


def _copy_template(wave: Wave, template: SurveyTemplate) -> None:
    municipality = wave.municipality
    for s_position, section_template in enumerate(template.sections):
        section = Section.objects.create(
            municipality=municipality,
            wave=wave,
            code=section_template.code,
            position=s_position,
            title_nb=section_template.title["nb"],
            title_nn=section_template.title["nn"],
            title_en=section_template.title["en"],
        )
        for position, it in enumerate(section_template.items):
            Item.objects.create(
                municipality=municipality,
                wave=wave,
                section=section,
                code=it.code,
                position=position,
                kind=it.kind,
                text_nb=it.text["nb"],
                text_nn=it.text["nn"],
                text_en=it.text["en"],
                scale_points=it.points,
                has_neutral=bool(it.points and it.points % 2 == 1),
                allows_dont_know=it.dont_know,
                labels=agree_scale(it.points) if it.points else [],
                choices=_choices_for(municipality, it.background, it.choices),
                background=it.background,
            )


def _copy_wave(wave: Wave, previous: Wave) -> None:
    sections = {}
    for section in previous.own_sections():
        sections[section.pk] = Section.objects.create(
            municipality=wave.municipality,
            wave=wave,
            code=section.code,
            position=section.position,
            title_nb=section.title_nb,
            title_nn=section.title_nn,
            title_en=section.title_en,
        )
    for item in previous.own_items():
        old_pk = item.pk
        item.pk = None
        item.id = None
        item.wave = wave
        item.section = sections[item.section_id]
        item.comparable_to_id = old_pk
        item.comparable = True
        item.save(force_insert=True)


@transaction.atomic
def wave_open(
    *,
    survey: Survey,
    starts_on: dt.date,
    ends_on: dt.date,
    anonymous: bool,
    open_link: bool = False,
    token_count: int = 0,
    client_key: uuid.UUID | None = None,
) -> tuple[Wave, list[str]]:
    """Open the next wave of ``survey``: its instrument is copied from the previous wave (or
    from the template for the first), and ``token_count`` single-use invitation tokens are made.

    Returns the wave and the raw tokens (shown once; only their hashes are stored). Raises
    :class:`SurveyError` for an end before the start, a negative or too large token count,
    or a wave with neither an open link nor tokens, and :class:`WaveAlreadyOpened` when a
    wave was opened with the same ``client_key`` (a reloaded or twice-sent form).
    """
    if client_key is not None:
        earlier = Wave.objects.filter(
            client_key=client_key, municipality_id=survey.municipality_id
        ).first()
        if earlier is not None:
            raise WaveAlreadyOpened(earlier)
    if ends_on < starts_on:
        raise SurveyError("The wave cannot end before it starts.")
    if not 0 <= token_count <= MAX_TOKENS:
        raise SurveyError(f"Make between 0 and {MAX_TOKENS} invitation tokens.")
    if not open_link and token_count == 0:
        raise SurveyError("A wave needs an open link or invitation tokens.")
    waves = Wave.objects.filter(survey=survey, municipality_id=survey.municipality_id)
    previous = waves.order_by("-number").first()
    number = (Wave.objects.filter(survey=survey).aggregate(top=Max("number"))["top"] or 0) + 1
    wave = Wave.objects.create(
        client_key=client_key,
        municipality=survey.municipality,
        survey=survey,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        anonymous=anonymous,
        open_link=open_link,
        status=WaveStatus.OPEN,
        previous=previous,
    )
    if previous is None:
        _copy_template(wave, TEMPLATES[survey.template_key])
    else:
        _copy_wave(wave, previous)
    return wave, tokens_create(wave=wave, count=token_count)


def tokens_create(*, wave: Wave, count: int) -> list[str]:
    """``count`` new single-use tokens for ``wave``: :data:`TOKEN_LENGTH` letters of
    :data:`TOKEN_ALPHABET` (no 0/O or 1/I/L to mistake when typed from paper), drawn with
    :mod:`secrets`, shown as ``ABCD-EFGH-…``."""
    raw = []
    for _ in range(count):
        letters = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        raw.append(
            "-".join(letters[i : i + TOKEN_GROUP] for i in range(0, TOKEN_LENGTH, TOKEN_GROUP))
        )
    InvitationToken.objects.bulk_create(
        InvitationToken(municipality=wave.municipality, wave=wave, token_hash=token_hash(t))
        for t in raw
    )
    return raw


@transaction.atomic
def wave_set_anonymity(*, wave: Wave, anonymous: bool) -> Wave:
    """Change whether ``wave`` is anonymous; :class:`AnonymityLocked` once it has a response."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.anonymous == anonymous:
        return locked
    if locked.has_responses():
        raise AnonymityLocked(
            "Anonymity is fixed once the wave has a response; it cannot be changed."
        )
    locked.anonymous = anonymous
    locked.save(update_fields=["anonymous"])
    return locked


def sealed(wave: Wave) -> bool:
    """Whether ``wave`` takes no more answers of any kind: an anonymous wave that has
    closed with responses. Its results are published once it closes, so an answer added
    later (reopened, or imported) could be read by comparing the results before and after
    it. A new wave (a copy) carries on."""
    return wave.anonymous and wave.status == WaveStatus.CLOSED and wave.has_responses()


SEALED_MESSAGE = (
    "This anonymous wave has closed with answers and its results are published; it takes "
    "no more answers (they could be read by comparing the results before and after). "
    "Open a new wave instead."
)


def sealed_message() -> str:
    """:data:`SEALED_MESSAGE` in the user's language."""
    return gettext(
        "This anonymous wave has closed with answers and its results are published; it "
        "takes no more answers (they could be read by comparing the results before and "
        "after). Open a new wave instead."
    )


def wave_set_status(*, wave: Wave, status: str) -> Wave:
    """Open or close ``wave`` (a wave never goes back to draft); ``SurveyError`` otherwise,
    and for reopening a :func:`sealed` wave."""
    if status not in (WaveStatus.OPEN, WaveStatus.CLOSED):
        raise SurveyError("A wave can only be opened or closed.")
    if status == WaveStatus.OPEN and sealed(wave):
        raise SurveyError(SEALED_MESSAGE)
    wave.status = status
    wave.save(update_fields=["status"])
    return wave


@transaction.atomic
def item_update(*, item: Item, **changes: Any) -> Item:
    """Change an item of a wave that has no responses yet; a changed copy of an item of the
    previous wave is marked not comparable. Raises :class:`SurveyError` after a response."""
    if item.wave.has_responses():
        raise SurveyError("The wave has responses; its items can no longer change.")
    before = item.content()
    for name, value in changes.items():
        setattr(item, name, value)
    if item.content() != before:
        item.comparable = False
    item.full_clean(exclude=["municipality", "wave", "section", "comparable_to"])
    item.save()
    return item


def token_find(*, wave: Wave, raw: str) -> InvitationToken | None:
    """The token of ``wave`` with this raw value, or ``None``."""
    return InvitationToken.objects.filter(
        wave=wave, municipality_id=wave.municipality_id, token_hash__in=token_hashes(raw)
    ).first()


@dataclass(frozen=True)
class AnswerValue:
    """A cleaned answer to one item (see :class:`torg.surveys.models.Answer`)."""

    level: int | None = None
    choice: str = ""
    choices: tuple[str, ...] = ()
    text: str = ""

    def is_empty(self) -> bool:
        return self.level is None and not self.choice and not self.choices and not self.text


def clean_answer(item: Item, value: Any) -> AnswerValue:
    """Check one raw answer against its item; ``SurveyError`` naming the item if it is wrong.

    Likert: a level ``1 … scale_points`` or ``-1`` ("don't know", if allowed); single choice
    and background: a choice code; multiple choice: a list of codes; free text: a string.
    ``None`` or ``""`` is no answer (every item is optional).
    """
    if value in (None, "", []):
        return AnswerValue()
    if item.kind == ItemKind.LIKERT:
        try:
            level = int(value)
        except (TypeError, ValueError) as error:
            raise SurveyError(f"{item.code}: not a level of the scale") from error
        points = item.scale_points or 0
        if not (1 <= level <= points or (level == DONT_KNOW and item.allows_dont_know)):
            raise SurveyError(f"{item.code}: {level} is not a level of the scale")
        return AnswerValue(level=level)
    if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.BACKGROUND):
        if str(value) not in item.choice_codes():
            raise SurveyError(f"{item.code}: {value!r} is not one of the choices")
        return AnswerValue(choice=str(value))
    if item.kind == ItemKind.MULTIPLE_CHOICE:
        values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        unknown = set(values) - item.choice_codes()
        if unknown:
            raise SurveyError(f"{item.code}: {sorted(unknown)} are not among the choices")
        return AnswerValue(choices=tuple(sorted(set(values))))
    # Free text is cleaned like a desk note (torg.lib.pii): an anonymous answer must not
    # carry a phone number, an e-mail address or an identity number.
    return AnswerValue(text=scrub(str(value).strip()[:5000]).text)


@transaction.atomic
def response_submit(
    *,
    wave: Wave,
    answers: Mapping[str, Any],
    submission_key: uuid.UUID,
    token: str | None = None,
    imported: bool = False,
) -> tuple[Response, bool]:
    """Store one respondent's answers (``{item code: raw value}``), once.

    Idempotent: a second call with the same ``submission_key`` returns the stored response and
    ``False``. With a ``token`` the token must belong to the wave and be unused (it is then
    marked used and its saved draft deleted); a wave without an open link needs one, unless
    the answers are ``imported`` from another tool's export (then the wave may be closed, but
    not :func:`sealed`). Nothing
    about the respondent is stored, in any wave: no time, no address, no token.
    Raises :class:`WaveNotOpen`, :class:`TokenInvalid`, or :class:`SurveyError` for a bad answer.
    """
    existing = Response.objects.filter(wave=wave, submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    if wave.status != WaveStatus.OPEN and not imported:
        raise WaveNotOpen("This survey is not open for answers.")
    if imported and sealed(wave):
        raise WaveNotOpen(SEALED_MESSAGE)
    items = {item.code: item for item in wave.own_items()}
    unknown = set(answers) - set(items)
    if unknown:
        raise SurveyError(f"Unknown items: {', '.join(sorted(unknown))}")
    cleaned = {code: clean_answer(items[code], value) for code, value in answers.items()}
    invitation = None
    if token:
        invitation = (
            InvitationToken.objects.select_for_update()
            .filter(
                wave=wave,
                municipality_id=wave.municipality_id,
                token_hash__in=token_hashes(token),
            )
            .first()
        )
        # A double submit that waited for this lock finds the first one's response here.
        existing = Response.objects.filter(wave=wave, submission_key=submission_key).first()
        if existing is not None:
            return existing, False
        if invitation is None or invitation.used:
            raise TokenInvalid("This invitation is not valid or has already been used.")
    elif not wave.open_link and not imported:
        raise TokenInvalid("This survey needs an invitation.")
    try:
        with transaction.atomic():
            response = Response.objects.create(
                municipality=wave.municipality, wave=wave, submission_key=submission_key
            )
    except IntegrityError:
        return Response.objects.get(wave=wave, submission_key=submission_key), False
    Answer.objects.bulk_create(
        Answer(
            municipality=wave.municipality,
            response=response,
            item=items[code],
            level=value.level,
            choice=value.choice,
            choices=list(value.choices),
            text=value.text,
        )
        for code, value in cleaned.items()
        if not value.is_empty()
    )
    if invitation is not None:
        invitation.used = True
        invitation.save(update_fields=["used"])
        ResponseDraft.objects.filter(token=invitation).delete()
    return response, True


def draft_save(*, wave: Wave, token: str, answers: Mapping[str, Any]) -> ResponseDraft:
    """Save answers so far under an unused ``token``; :class:`TokenInvalid` otherwise."""
    invitation = token_find(wave=wave, raw=token)
    if invitation is None or invitation.used:
        raise TokenInvalid("This invitation is not valid or has already been used.")
    draft, _ = ResponseDraft.objects.update_or_create(
        token=invitation,
        defaults={"municipality": wave.municipality, "data": dict(answers)},
    )
    return draft


def draft_load(*, wave: Wave, token: str) -> dict[str, Any]:
    """The answers saved under ``token`` (empty if none)."""
    invitation = token_find(wave=wave, raw=token)
    if invitation is None:
        return {}
    draft = ResponseDraft.objects.filter(token=invitation).first()
    return dict(draft.data) if draft else {}
