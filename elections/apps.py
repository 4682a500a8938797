from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = "换届核心"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from elections import auth, checks  # noqa: F401  (the lock-out audit; the stage checks)
        from elections.audit import register_action_labels
        from elections.notices import (
            kinds,  # noqa: F401 - registers N2-N4
            publishing,
        )
        from elections.notices.timer import start_if_embedded
        from elections.registration import checks as registration_checks  # noqa: F401

        register_action_labels(publishing.AUDIT_LABELS)
        from elections.registration import printables

        register_action_labels(printables.AUDIT_LABELS)
        start_if_embedded()
