from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from torg.evaluation.triggers import ensure_inquiry_triggers

    connection = connections[using]
    tables = connection.introspection.table_names()
    if "inquiries_inquiry" in tables and "evaluation_inquirydirtyday" in tables:
        ensure_inquiry_triggers(connection)


class EvaluationConfig(AppConfig):
    name = "torg.evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # After every migrate: SQLite drops a table's triggers when a migration rebuilds it.
        post_migrate.connect(_ensure_triggers, sender=self)
