from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "候选人"
    default_auto_field = "django.db.models.BigAutoField"
