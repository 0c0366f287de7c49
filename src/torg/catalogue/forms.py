"""Forms of the catalogue pages. They validate input only; writes go through
:mod:`torg.catalogue.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.catalogue.selectors import ServiceFilter, categories_of
from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped


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
        """The search as given; a field with an invalid value (say, another municipality's
        category id) is ignored rather than widening the search to all categories."""
        data = self.cleaned_data if self.is_valid() else {}
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
                "A short identifier of lower-case letters, digits and hyphens, used by imports. "
                "Leave empty to make one from the bokmål name. It cannot be changed later."
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
        if not code:
            code = slugify(self.data.get(self.add_prefix("name_nb"), ""))[:80].strip("-")
            if not code:
                raise forms.ValidationError(_("Give a code, or a bokmål name to make one from."))
        if scoped(Service, self.municipality).filter(code=code).exists():
            raise forms.ValidationError(
                _("The code %(code)s is already used by another service."),
                code="duplicate",
                params={"code": code},
            )
        return code

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values to pass to ``service_create`` or ``service_update``."""
        fields = dict(self.cleaned_data)
        if self.instance.pk:
            fields.pop("code", None)
        return fields
