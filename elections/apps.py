from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = "换届核心"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from elections import auth, checks  # noqa: F401  (the lock-out audit; the stage checks)
        from elections.registration import checks as registration_checks  # noqa: F401
