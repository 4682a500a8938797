from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "候选人"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from candidates import checks  # noqa: F401 - registers the stage checks
        from candidates.services import committee, nominations, party, seats, slate
        from elections.audit import register_action_labels

        for module in (seats, committee, nominations, slate, party):
            register_action_labels(module.AUDIT_LABELS)
