"""Forms of the queue pages. They validate input only; writes go through
:mod:`torg.referrals.services`. Every choice list is scoped to the municipality."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from torg.catalogue.models import Domain, Service
from torg.organisation.models import Membership, Site
from torg.organisation.scoping import Tenancy
from torg.referrals import rules
from torg.referrals.models import (
    DigitalStatus,
    ReferralOutcome,
    ReferralStatus,
    Team,
)
from torg.referrals.selectors import team_list

NOTE_MAX_LENGTH = 1000


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return obj.name


class MembershipChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.get_username()} ({obj.get_role_display()})"


def status_choices() -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}
    for value, label in [*ReferralStatus.choices, *DigitalStatus.choices]:
        seen.setdefault(value, label)
    return [("open", _("Open (not yet done)")), ("all", _("All")), *seen.items()]


class QueueFilterForm(forms.Form):
    """The GET filter of the queue page."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=status_choices)
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("All teams")
    )

    def __init__(
        self, *args: Any, tenancy: Tenancy, user: AbstractBaseUser | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        teams = team_list(tenancy)
        if tenancy.site_bound:  # the teams at the member's sites, and the member's own
            own = Q(members__user_id=user.pk) if user is not None else Q(pk__in=[])
            teams = teams.filter(Q(pk__in=rules.local_teams(tenancy).values("pk")) | own)
        self.fields["team"].queryset = teams.distinct()  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    """Refer one inquiry to a team."""

    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), empty_label=_("Choose a team")
    )
    service = ServiceChoiceField(
        label=_("Service wanted"),
        required=False,
        queryset=Service.objects.none(),
        empty_label=_("No particular service"),
    )
    note = forms.CharField(
        label=_("Note for the team"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "No personal data about the citizen. Do not write names; identity numbers, "
            "phone numbers, e-mail addresses, bank account numbers and postal addresses are "
            "removed before saving."
        ),
    )
    client_key = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(tenancy, active_only=True)  # type: ignore[attr-defined]
        # Sorted by the name the person reads (Service.name: English in the English UI).
        name = "name_en" if (get_language() or "nb").startswith("en") else "name_nb"
        self.fields["service"].queryset = (  # type: ignore[attr-defined]
            tenancy.scoped(Service).filter(is_active=True).order_by(Lower(name), "pk")
        )


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices)


class TriageForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(tenancy, active_only=True)  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    """Create or change a team; sites and members are the municipality's own."""

    name = forms.CharField(label=_("Name"), max_length=200)
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        required=False,
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    members = MembershipChoiceField(
        label=_("Members"),
        required=False,
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    service_level_hours = forms.IntegerField(
        label=_("Service-level target (hours)"),
        min_value=1,
        max_value=24 * 60,
        initial=48,
        help_text=_("Calendar hours from receipt to the first answer of a digital inquiry."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = tenancy.scoped(Site).order_by("name")  # type: ignore[attr-defined]
        self.fields["members"].queryset = (  # type: ignore[attr-defined]
            tenancy.scoped(Membership).select_related("user").order_by("user__username")
        )

    @staticmethod
    def initial_for(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "domain": team.domain,
            "sites": list(team.sites.all()),
            "members": list(team.members.all()),
            "service_level_hours": team.service_level_hours,
            "is_active": team.is_active,
        }
