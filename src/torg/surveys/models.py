"""Surveys: instruments copied from built-in templates, waves, invitations, anonymous responses.

* A :class:`Survey` is a municipality's copy of a built-in template
  (:mod:`torg.surveys.templates_builtin`); the template is never edited.
* A :class:`Wave` is one run of the survey over a period and holds its own copy of the
  instrument (:class:`Section`, :class:`Item`), so a later wave can change an item without
  rewriting the results of an earlier one. A new wave copies the previous wave's items; an
  item changed afterwards is marked not comparable (``comparable=False``).
* Anonymity is chosen when the wave is created and is fixed once the first response exists
  (:func:`torg.surveys.services.wave_set_anonymity`, and the API answers 409).
* An :class:`InvitationToken` stores a hash of the token and whether it was used, nothing
  else: no link to a response, no time. A :class:`ResponseDraft` (save and resume) is keyed by
  the token and deleted in the same transaction that stores the final response.
* A :class:`Response` and its :class:`Answer` rows have no timestamp, IP address or user agent
  in any wave, and random UUID keys, so that their order does not follow the order of
  submission (every listing and export sorts by them; the database's physical row order
  may still follow insertion, so a raw table dump is no anonymous export).
* A saved draft is readable by whoever holds the token, as save-and-resume requires; it is
  deleted in the transaction that stores the final response, after which nothing links the
  token to the answers. The ``submission_key`` (a random value in the form) makes the final submit
  idempotent: a unique constraint lets a double submit store one response.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import Municipality
from torg.surveys.analysis import DEFAULT_MIN_GROUP, LOWEST_MIN_GROUP
from torg.surveys.scales import pick, text_language


def _text(obj: Any, prefix: str) -> str:
    code = text_language(get_language())
    return str(getattr(obj, f"{prefix}_{code}", "") or getattr(obj, f"{prefix}_nb"))


class Audience(models.TextChoices):
    EMPLOYEES = "employees", _("Employees")
    CITIZENS = "citizens", _("Citizens")


class Survey(models.Model):
    """A municipality's survey, copied from a built-in template (``template_key``)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="surveys")
    template_key = models.CharField(_("template"), max_length=60)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    title_nb = models.CharField(_("title (bokmål)"), max_length=200)
    title_nn = models.CharField(_("title (nynorsk)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    introduction_nb = models.TextField(_("introduction (bokmål)"), blank=True)
    introduction_nn = models.TextField(_("introduction (nynorsk)"), blank=True)
    introduction_en = models.TextField(_("introduction (English)"), blank=True)
    randomise_statements = models.BooleanField(_("randomise the order of statements"), default=True)
    min_group = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=DEFAULT_MIN_GROUP,
        help_text=_("No result is shown for a group with fewer respondents (never below 3)."),
    )
    free_text_min_group = models.PositiveSmallIntegerField(
        _("minimum group size for free text"), default=10
    )
    agree_levels = models.PositiveSmallIntegerField(
        _("levels that count as agreeing"),
        default=2,
        help_text=_("The share who agree counts this many of the highest levels."),
    )

    class Meta:
        ordering = ["title_nb", "pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group__gte=LOWEST_MIN_GROUP), name="survey_min_group_at_least_3"
            ),
            models.CheckConstraint(
                condition=Q(free_text_min_group__gt=models.F("min_group")),
                name="survey_free_text_threshold_above_min_group",
            ),
            models.CheckConstraint(
                condition=Q(agree_levels__gte=1, agree_levels__lte=3),
                name="survey_agree_levels_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _text(self, "title")

    @property
    def introduction(self) -> str:
        return _text(self, "introduction")


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Wave(models.Model):
    """One run of a survey over a period (``starts_on`` … ``ends_on``, local dates)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField(_("wave number"))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The key of the form that opened the wave: a reload or a second click of "Open the
    #: wave" sends the same key and opens no second wave.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    open_link = models.BooleanField(
        _("open link"), default=False, help_text=_("Anyone with the link may answer.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="wave_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="wave_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.number}"

    @property
    def period(self) -> str:
        return f"{self.starts_on.isoformat()} – {self.ends_on.isoformat()}"

    # The wave's own rows, scoped to its municipality as every tenant query is (a row of
    # another municipality pointing at this wave is never part of it).
    def own_items(self) -> models.QuerySet[Item]:
        return Item.objects.filter(wave=self, municipality_id=self.municipality_id)

    def own_sections(self) -> models.QuerySet[Section]:
        return Section.objects.filter(wave=self, municipality_id=self.municipality_id)

    def own_responses(self) -> models.QuerySet[Response]:
        return Response.objects.filter(wave=self, municipality_id=self.municipality_id)

    def own_answers(self) -> models.QuerySet[Answer]:
        return Answer.objects.filter(
            response__wave=self,
            municipality_id=self.municipality_id,
            response__municipality_id=self.municipality_id,
        )

    def has_responses(self) -> bool:
        return self.own_responses().exists()


class Section(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_nb = models.CharField(_("title (bokmål)"), max_length=200)
    title_nn = models.CharField(_("title (nynorsk)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["wave", "position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="section_unique_code"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _text(self, "title")


class ItemKind(models.TextChoices):
    LIKERT = "likert", _("Likert statement")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    BACKGROUND = "background", _("Background question")
    FREE_TEXT = "free_text", _("Free text")


class Background(models.TextChoices):
    """Background questions that results can be grouped by."""

    MUNICIPALITY = "municipality", _("Municipality")
    SITE = "site", _("Site")
    SERVICE = "service", _("Service")
    ROLE = "role", _("Role")
    CO_LOCATION = "co_location", _("Experience of co-location")
    AGE_GROUP = "age_group", _("Age group")


class Item(models.Model):
    """One question of a wave.

    ``labels`` (Likert) is the list of level labels, level 1 first, each
    ``{"nb", "nn", "en"}``; ``choices`` (choice and background items) is a list of
    ``{"code", "nb", "nn", "en"}``. ``comparable_to`` is the same item in the previous wave;
    ``comparable`` turns false when the item is changed after being copied.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    text_nb = models.TextField(_("text (bokmål)"))
    text_nn = models.TextField(_("text (nynorsk)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    scale_points = models.PositiveSmallIntegerField(_("points on the scale"), null=True, blank=True)
    has_neutral = models.BooleanField(_("neutral middle level"), default=False)
    allows_dont_know = models.BooleanField(_("“don't know” allowed"), default=False)
    labels = models.JSONField(_("level labels"), default=list, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    background = models.CharField(
        _("background variable"), max_length=20, choices=Background.choices, blank=True
    )
    comparable_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comparable = models.BooleanField(_("comparable with the previous wave"), default=True)

    class Meta:
        ordering = ["wave", "section__position", "position"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="item_unique_code"),
            models.CheckConstraint(
                condition=~Q(kind="likert") | Q(scale_points__in=[4, 5, 7]),
                name="item_likert_has_4_5_or_7_points",
            ),
            models.CheckConstraint(
                condition=~Q(kind="likert")
                | Q(scale_points=4, has_neutral=False)
                | Q(scale_points__in=[5, 7], has_neutral=True),
                name="item_neutral_only_on_odd_scales",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return _text(self, "text")

    def level_labels(self) -> list[str]:
        language = text_language(get_language())
        return [pick(label, language) for label in self.labels]

    def choice_labels(self) -> list[tuple[str, str]]:
        language = text_language(get_language())
        return [(str(choice["code"]), pick(choice, language)) for choice in self.choices]

    def choice_codes(self) -> set[str]:
        return {str(choice["code"]) for choice in self.choices}

    def content(self) -> dict[str, Any]:
        """What makes two copies of an item the same question (for ``comparable``)."""
        return {
            "kind": self.kind,
            "text": [self.text_nb, self.text_nn, self.text_en],
            "scale_points": self.scale_points,
            "allows_dont_know": self.allows_dont_know,
            "labels": self.labels,
            "choices": self.choices,
        }


class InvitationToken(models.Model):
    """A single-use invitation. Only the SHA-256 of the token and ``used`` are stored."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("invitation token")
        verbose_name_plural = _("invitation tokens")

    def __str__(self) -> str:
        return f"{self.token_hash[:8]}…"


class ResponseDraft(models.Model):
    """Answers saved with a token before the final submit; deleted when it is submitted."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    token = models.OneToOneField(InvitationToken, on_delete=models.CASCADE, related_name="draft")
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("saved answers")
        verbose_name_plural = _("saved answers")

    def __str__(self) -> str:
        return str(self.token)


class Response(models.Model):
    """One respondent's submitted answers. No time, no address, no user agent, no token."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    submission_key = models.UUIDField()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "submission_key"], name="response_unique_submission"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    """One answer: ``level`` (Likert level 1 … n, or -1 for "don't know"), ``choice`` (single
    choice or background code), ``choices`` (multiple choice codes) or ``text`` (free text)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    level = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=60, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_unique_item"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level=-1) | Q(level__gte=1, level__lte=7),
                name="answer_level_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}"
