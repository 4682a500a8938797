from django.apps import AppConfig


class VettingConfig(AppConfig):
    name = "vetting"
    verbose_name = "资格联审"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from candidates.clearance import register_provider
        from elections.audit import register_action_labels
        from vetting import checks, notices  # noqa: F401 - registers the stage checks
        from vetting.services import cases, deadlines, rounds, sheets
        from vetting.services.aggregate import clearance_provider

        for module in (rounds, cases, deadlines, sheets):
            register_action_labels(module.AUDIT_LABELS)
        register_provider(clearance_provider)
        notices.register()
