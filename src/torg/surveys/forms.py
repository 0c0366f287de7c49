"""Forms: the public response form (built from a wave's items) and the management forms."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from torg.surveys.analysis import DONT_KNOW, LOWEST_MIN_GROUP
from torg.surveys.models import Background, Item, ItemKind, Section, Wave, WaveStatus
from torg.surveys.scales import DONT_KNOW_LABEL, pick, text_language
from torg.surveys.selectors import BY_MODEL
from torg.surveys.services import MAX_TOKENS
from torg.surveys.templates_builtin import TEMPLATES

FIELD_PREFIX = "item-"


def field_name(item: Item) -> str:
    return f"{FIELD_PREFIX}{item.code}"


@dataclass(frozen=True)
class SectionFields:
    """A section of the form with its bound fields, in the order shown to this respondent."""

    section: Section
    fields: list[tuple[Item, forms.BoundField]]


class ResponseForm(forms.Form):
    """One field per item (but a background question with one choice); every item is
    optional. ``submission_key`` makes the submit idempotent; it (or ``order_key``) also
    seeds the respondent's order of statements, so the order stays the same when the form
    comes back with an error."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, wave: Wave, order_key: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave
        self.order_key = order_key
        self.items = list(
            wave.own_items().select_related("section").order_by("section__position", "position")
        )
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        # A background question with a single choice (the municipality, in a municipality
        # that answers alone) asks nothing: it is not shown, and its one value is recorded.
        self.fixed = {
            item.code: str(item.choices[0]["code"])
            for item in self.items
            if item.kind == ItemKind.BACKGROUND and len(item.choices) == 1
        }
        self.items = [item for item in self.items if item.code not in self.fixed]
        language = text_language(get_language())
        for item in self.items:
            self.fields[field_name(item)] = self._field(item, language)

    def _field(self, item: Item, language: str) -> forms.Field:
        label = item.text
        if item.kind == ItemKind.LIKERT:
            choices = [(str(level), text) for level, text in enumerate(item.level_labels(), 1)]
            if item.allows_dont_know:
                choices.append((str(DONT_KNOW), pick(DONT_KNOW_LABEL, language)))
            return forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, required=False,
                empty_value=None, widget=forms.RadioSelect,
            )  # fmt: skip
        if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.BACKGROUND):
            return forms.ChoiceField(
                label=label, choices=item.choice_labels(), required=False, widget=forms.RadioSelect
            )
        if item.kind == ItemKind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                label=label,
                choices=item.choice_labels(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return forms.CharField(
            label=label, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
        )

    def order_seed(self) -> str:
        """What the respondent's order of statements is drawn from: ``order_key`` (the
        invitation code, so the order survives save and resume), else the submission key the
        form carries (the same when the form comes back with an error)."""
        if self.order_key:
            return self.order_key
        key = self.data.get("submission_key") if self.is_bound else None
        return str(key or self.initial.get("submission_key") or "")

    def sections(self) -> list[SectionFields]:
        """Sections with their fields; Likert statements shuffled per respondent when the
        survey asks for it (the same order for the same ``submission_key``)."""
        shuffle = self.wave.survey.randomise_statements
        rng = random.Random(self.order_seed())
        grouped: dict[int, SectionFields] = {}
        for item in self.items:
            section = grouped.setdefault(item.section_id, SectionFields(item.section, []))
            section.fields.append((item, self[field_name(item)]))
        result = list(grouped.values())
        if shuffle:
            for section_fields in result:
                statements = [f for f in section_fields.fields if f[0].kind == ItemKind.LIKERT]
                rng.shuffle(statements)
                others = iter(statements)
                section_fields.fields[:] = [
                    next(others) if f[0].kind == ItemKind.LIKERT else f
                    for f in section_fields.fields
                ]
        return result

    def answers(self) -> dict[str, Any]:
        """``{item code: value}`` of the cleaned data, for the services (with the value of
        each single-choice background question that was not shown)."""
        answers = {item.code: self.cleaned_data.get(field_name(item)) for item in self.items}
        return answers | self.fixed

    @staticmethod
    def initial_from(answers: Mapping[str, Any]) -> dict[str, Any]:
        return {f"{FIELD_PREFIX}{code}": value for code, value in answers.items()}


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Invitation code"), max_length=100, strip=True)


class SurveyCreateForm(forms.Form):
    template_key = forms.ChoiceField(label=_("Template"), choices=())
    min_group = forms.IntegerField(
        label=_("Minimum group size"),
        min_value=LOWEST_MIN_GROUP,
        initial=5,
        help_text=_("No result is shown for a group with fewer respondents (at least 3)."),
    )
    free_text_min_group = forms.IntegerField(
        label=_("Minimum respondents before free text is shown"), min_value=4, initial=10
    )
    agree_levels = forms.TypedChoiceField(
        label=_("Levels that count as agreeing"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        initial=2,
        help_text=_("The share who agree counts this many of the highest levels."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "nb"
        self.fields["template_key"].choices = [  # type: ignore[attr-defined]
            (key, pick(template.title, language)) for key, template in TEMPLATES.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, text = cleaned.get("min_group"), cleaned.get("free_text_min_group")
        if low is not None and text is not None and text <= low:
            self.add_error("free_text_min_group", _("Must be larger than the minimum group size."))
        return cleaned


class WaveOpenForm(forms.Form):
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        initial=True,
        help_text=_("Cannot be changed once the first response has come in."),
    )
    open_link = forms.BooleanField(
        label=_("Open link (anyone with the link may answer)"), required=False
    )
    token_count = forms.IntegerField(
        label=_("Number of invitation codes"), min_value=0, max_value=MAX_TOKENS, initial=0
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The wave cannot end before it starts."))
        if not cleaned.get("open_link") and cleaned.get("token_count") == 0:
            self.add_error("token_count", _("Make invitation codes or choose an open link."))
        return cleaned


class GroupByForm(forms.Form):
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=())

    def __init__(self, *args: Any, wave: Wave, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in wave.own_items().filter(kind=ItemKind.BACKGROUND)}
        choices: list[tuple[str, Any]] = [("", _("No grouping"))]
        choices += [(code, item.text) for code, item in self.items.items()]
        if any(item.background == Background.SITE for item in self.items.values()):
            choices.append((BY_MODEL, _("Organisational model")))
        self.fields["group_by"].choices = choices  # type: ignore[attr-defined]

    def item(self) -> Item | None:
        """The background item to group by (``None`` for none or for the model)."""
        if not self.is_valid():
            return None
        return self.items.get(self.cleaned_data.get("group_by") or "")

    def by_model(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("group_by") == BY_MODEL


class WaveSettingsForm(forms.Form):
    """Anonymity (fixed after the first response) and whether the wave takes answers."""

    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_("Cannot be changed once the first response has come in."),
    )
    # A wave is opened or closed; it never goes back to draft.
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (WaveStatus.OPEN, WaveStatus.OPEN.label),
            (WaveStatus.CLOSED, WaveStatus.CLOSED.label),
        ],
    )


class ItemEditForm(forms.ModelForm):
    """The texts of an item of a wave without responses (a change marks a copied item as not
    comparable with the previous wave)."""

    class Meta:
        model = Item
        fields = ["text_nb", "text_nn", "text_en", "allows_dont_know"]
