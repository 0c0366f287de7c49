"""Forms of the catalogue pages. They validate input only; writes go through
:mod:`torg.catalogue.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from torg.catalogue.codes import code_from_name
from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.catalogue.selectors import ServiceFilter, categories_of
from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped


def duplicate_code_message(code: str, *, generated: bool) -> str:
    """Why ``code`` cannot be used: another service of the municipality has it. A code
    made from the bokmål name says so, since the person never typed it."""
    if generated:
        return gettext(
            "The code “%(code)s”, made from the bokmål name, is already used by another "
            "service. Give the service a code of its own, or another name."
        ) % {"code": code}
    return gettext("The code %(code)s is already used by another service.") % {"code": code}


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return obj.name


class ServiceFilterForm(forms.Form):
    """The search box and filters of the catalogue list (a GET form)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name or synonym, in bokmål or English. Æ, ø and å may be typed as a, o, a."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        required=False,
        choices=[("", _("All domains")), *Domain.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *Level.choices],
    )
    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        queryset=ServiceCategory.objects.none(),
        empty_label=_("All categories"),
    )
    inactive = forms.BooleanField(
        label=_("Include inactive services"), required=False, label_suffix=""
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_of(municipality)  # type: ignore[attr-defined]

    def to_filter(self) -> ServiceFilter:
        """The validated search; call only after :meth:`is_valid` returned true."""
        data = self.cleaned_data
        return ServiceFilter(
            query=data.get("q", ""),
            domain=data.get("domain", ""),
            level=data.get("level", ""),
            category=data.get("category"),
            include_inactive=bool(data.get("inactive")),
        )


class ServiceForm(forms.ModelForm):
    """Create or edit a service. The category choices are the municipality's own categories
    only, so a posted id of another municipality's category is rejected as an invalid
    choice. The code is set once, when the service is created."""

    category = CategoryChoiceField(label=_("Category"), queryset=ServiceCategory.objects.none())

    class Meta:
        model = Service
        fields = [
            "name_nb",
            "name_en",
            "code",
            "category",
            "domain",
            "level",
            "synonyms",
            "answer_note",
            "answer_note_en",
            "is_active",
        ]
        help_texts = {
            "code": _(
                "A short identifier of lower-case letters a–z, digits and hyphens, used by "
                "imports. Leave empty to make one from the bokmål name (æ, ø and å become ae, "
                "o and a). It cannot be changed later."
            ),
            "synonyms": _(
                "Other words people use for the service, in both languages, separated by commas."
            ),
            "answer_note": _(
                "One to three sentences that let a colleague from the other service help the "
                "citizen: what to bring, where to apply, which office answers."
            ),
            "answer_note_en": _("The same note in English. Optional."),
            "is_active": _("Inactive services are hidden from the desk but kept for statistics."),
        }
        widgets = {
            "synonyms": forms.Textarea(attrs={"rows": 2}),
            "answer_note": forms.Textarea(attrs={"rows": 4}),
            "answer_note_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["category"].queryset = categories_of(municipality)  # type: ignore[attr-defined]
        self.fields["code"].required = False
        self.fields["is_active"].label_suffix = ""
        if not self.instance.pk:
            self.instance.municipality = municipality  # lets Service.clean() check the category
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _(
                "Used by imports and by the default catalogue; it cannot be changed."
            )

    def clean_code(self) -> str:
        if self.instance.pk:
            return self.instance.code
        code: str = self.cleaned_data.get("code") or ""
        generated = not code
        if generated:
            code = code_from_name(str(self.data.get(self.add_prefix("name_nb"), "")))
            if not code:
                raise forms.ValidationError(
                    _("Give a code, or a bokmål name to make one from."), code="required"
                )
        if scoped(Service, self.municipality).filter(code=code).exists():
            raise forms.ValidationError(
                duplicate_code_message(code, generated=generated),
                code="duplicate",
            )
        return code

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values to pass to ``service_create`` or ``service_update``."""
        fields = dict(self.cleaned_data)
        if self.instance.pk:
            fields.pop("code", None)
        return fields
