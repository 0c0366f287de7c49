"""One open referral (new or accepted) per inquiry.

Databases from before this rule may hold several open referrals of one inquiry (issue 3:
two form submissions referred the same inquiry twice). The earliest open one stays (an
accepted one before a new one); each later duplicate is declined (if new) or returned (if
accepted) at the migration's time, with a queue event ``referral_declined`` or
``referral_returned`` (as :func:`torg.referrals.services.referral_decline` writes) whose detail
says ``{"reason": "duplicate_open_referral", "kept": <id>}``. Then the constraint is
added.
"""

from django.db import migrations, models
from django.utils import timezone

OPEN = ("new", "accepted")


def close_duplicate_open_referrals(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    QueueEvent = apps.get_model("referrals", "QueueEvent")
    now = timezone.now()
    open_rows = Referral.objects.filter(status__in=OPEN).order_by("inquiry_id", "created_at", "pk")
    by_inquiry: dict[int, list] = {}
    for row in open_rows:
        by_inquiry.setdefault(row.inquiry_id, []).append(row)
    for rows in by_inquiry.values():
        if len(rows) < 2:
            continue
        accepted = [row for row in rows if row.status == "accepted"]
        kept = accepted[0] if accepted else rows[0]
        for row in rows:
            if row.pk == kept.pk:
                continue
            at = max(now, row.accepted_at or row.created_at)
            if row.status == "new":
                row.status = "declined"
                row.first_response_at = at
            else:
                row.status = "returned"
            row.declined_at = at
            row.save(update_fields=["status", "first_response_at", "declined_at"])
            QueueEvent.objects.create(
                municipality_id=row.municipality_id,
                referral=row,
                team_id=row.to_team_id,
                action=f"referral_{row.status}",
                actor=None,
                at=at,
                detail={"reason": "duplicate_open_referral", "kept": kept.pk},
            )
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys of these writes now: PostgreSQL refuses to
        # create the index below on a table with pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(close_duplicate_open_referrals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["new", "accepted"])),
                fields=("inquiry",),
                name="referral_one_open_per_inquiry",
            ),
        ),
    ]
