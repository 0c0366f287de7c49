"""A record of every import: which file (by SHA-256), through which profile, into which
municipality, by whom, and what it did. Re-importing a file whose hash is already recorded
for the same profile and municipality does nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import Municipality


class ImportBatch(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text=_("Empty for national reference data."),
    )
    profile = models.CharField(_("profile"), max_length=80)
    file_name = models.CharField(_("file"), max_length=300)
    file_sha256 = models.CharField(max_length=64)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_created = models.PositiveIntegerField(_("rows created"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rows_skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["profile", "file_sha256"])]

    def __str__(self) -> str:
        return f"{self.profile}: {self.file_name}"
