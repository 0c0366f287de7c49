"""The organisation in Django's admin, for the platform's superusers only (see
:mod:`torg.api.admin_site`): creating municipalities and giving people access to them.
Municipal users never see the admin; they work through Torg's scoped pages and API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from torg.organisation.models import (
    SITE_BOUND_ROLES,
    Membership,
    Municipality,
    OpeningHours,
    ServicePoint,
    Site,
    SiteModelPeriod,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role"]  # sites: on the membership's own page, which checks them


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "municipality", "role", "sites"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        municipality, sites = cleaned.get("municipality"), cleaned.get("sites")
        if municipality is not None and sites:
            foreign = [site.name for site in sites if site.municipality_id != municipality.pk]
            if foreign:
                self.add_error(
                    "sites",
                    _("These sites belong to another municipality: %(sites)s.")
                    % {"sites": ", ".join(foreign)},
                )
        if sites and cleaned.get("role") not in SITE_BOUND_ROLES:
            self.add_error(
                "sites",
                _(
                    "Only desk staff and managers can be bound to sites; analysts and "
                    "administrators always see the whole municipality."
                ),
            )
        return cleaned


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "number", "country"]
    list_filter = ["country"]
    search_fields = ["name", "slug", "number"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    filter_horizontal = ["sites"]
    list_display = ["user", "municipality", "role"]
    list_filter = ["role", "municipality__country"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0
    fields = ["name", "kind", "is_active"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes", "kind", "valid_from", "valid_to"]


class SiteModelPeriodInline(admin.TabularInline):
    model = SiteModelPeriod
    extra = 0
    fields = ["model", "co_organised", "co_located", "valid_from", "valid_to", "note"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "kind", "time_zone", "is_aggregate"]
    list_filter = ["kind", "municipality__country"]
    search_fields = ["name", "code", "municipality__name"]
    autocomplete_fields = ["municipality"]
    inlines = [ServicePointInline, OpeningHoursInline, SiteModelPeriodInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # Rows added inline belong to the site's municipality, whatever the form says.
        instances = formset.save(commit=False)
        for instance in instances:
            if hasattr(instance, "municipality_id"):
                instance.municipality_id = form.instance.municipality_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
