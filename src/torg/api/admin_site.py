"""Django's admin, for superusers only.

The admin sees every municipality's rows at once, so it must never be reachable by a
municipal user, whatever their role: municipal users work through Torg's pages and API,
which are scoped to their municipalities. Django's default admin lets in any ``is_staff``
user; this site also requires ``is_superuser``, both for every admin page and at the admin
login form.

It is installed in ``INSTALLED_APPS`` as ``torg.api.admin_apps.SuperuserAdminConfig`` in
place of ``django.contrib.admin``, the way Django documents for overriding the default
site. (It lives in the API app because the API app owns the access rules outside the
tenant pages; it has no other tie to the API.)
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    """The admin login form; it refuses anyone who is not an active superuser."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct user name and password of a superuser. The "
            "administration site is not for municipal users: use Torg's own pages."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class SuperuserAdminSite(admin.AdminSite):
    site_header = _("Torg administration (superusers only)")
    site_title = _("Torg administration")
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)
