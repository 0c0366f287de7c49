"""The admin app with Torg's superuser-only site (see :mod:`torg.api.admin_site`).

Kept apart from the site itself because ``INSTALLED_APPS`` imports this module before the
models are ready."""

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    default_site = "torg.api.admin_site.SuperuserAdminSite"
