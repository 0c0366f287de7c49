from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "torg.rosters"
    verbose_name = _("Staff rosters")
