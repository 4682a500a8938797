from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "ballots"
    verbose_name = "投票与计票"
    default_auto_field = "django.db.models.BigAutoField"
