"""The service catalogue: what the library and the citizen service centre offer.

Each municipality has its own copy (loaded from Torg's default Norwegian catalogue by
``torg load catalogue`` and editable in the UI), because the same service is split
differently between first and second line in different models.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from torg.catalogue.codes import CODE_PATTERN
from torg.organisation.models import Municipality

#: The rule of every code (:mod:`torg.catalogue.codes`), for forms, the API and full_clean.
validate_code = RegexValidator(
    CODE_PATTERN,
    message=_(
        "Use only lower-case letters a–z, digits and single hyphens between them, "
        "such as “passport-renewal”."
    ),
    code="invalid_code",
)


class Domain(models.TextChoices):
    LIBRARY = "library", _("Library")
    MUNICIPAL = "municipal", _("Municipal")
    SHARED = "shared", _("Shared")


class Level(models.TextChoices):
    """First line (generalist) or second line (specialist)."""

    GENERALIST = "generalist", _("First line (generalist)")
    SPECIALIST = "specialist", _("Second line (specialist)")


class ServiceCategory(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="service_categories"
    )
    code = models.CharField(_("code"), max_length=60, db_index=True, validators=[validate_code])
    name_nb = models.CharField(_("name (bokmål)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name_nb"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="service_category_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb


class Service(models.Model):
    """An entry in the catalogue. ``answer_note`` (bokmål) and ``answer_note_en`` are the
    short guidance a generalist reads at the desk about a service of the other domain;
    ``synonyms`` (comma-separated, both languages) help the desk search find it.
    ``default_digest`` tells a service loaded from the default catalogue and never edited
    from one the municipality changed (see :func:`torg.catalogue.services.catalogue_load_default`).
    Writes go through :mod:`torg.catalogue.services`."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="services"
    )
    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("category"),
    )
    code = models.CharField(_("code"), max_length=80, db_index=True, validators=[validate_code])
    name_nb = models.CharField(_("name (bokmål)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    synonyms = models.CharField(_("synonyms"), max_length=500, blank=True)
    answer_note = models.TextField(_("answer note (bokmål)"), blank=True)
    answer_note_en = models.TextField(_("answer note (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    default_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "Fingerprint of the default catalogue entry this service was loaded from; empty "
            "for a service the municipality created. A service whose content no longer matches "
            "it has been edited, and reloading the default catalogue leaves it alone."
        ),
    )

    class Meta:
        ordering = ["category__position", "name_nb"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="service_unique_code"),
            models.CheckConstraint(
                condition=Q(domain__in=["library", "municipal", "shared"]),
                name="service_domain_valid",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["generalist", "specialist"]), name="service_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb

    @property
    def answer(self) -> str:
        """The answer note in the active language, falling back to bokmål."""
        if (get_language() or "nb").startswith("en") and self.answer_note_en:
            return self.answer_note_en
        return self.answer_note

    @property
    def synonym_list(self) -> list[str]:
        return [word.strip() for word in self.synonyms.split(",") if word.strip()]

    def clean(self) -> None:
        if (
            self.category_id
            and self.municipality_id
            and self.category.municipality_id != self.municipality_id
        ):
            raise ValidationError({"category": _("The category belongs to another municipality.")})
