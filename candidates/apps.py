from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "候选人"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from candidates import (
            checks,  # noqa: F401 - registers the stage checks
            notices,
            printables,
        )
        from candidates.demo import seed_committee
        from candidates.services import committee, kinship, nominations, party, seats, slate, street
        from elections.audit import register_action_labels
        from elections.demo import register_demo_seeder

        for module in (seats, committee, nominations, slate, party, kinship, street, printables):
            register_action_labels(module.AUDIT_LABELS)
        register_demo_seeder(seed_committee)
        notices.register()
