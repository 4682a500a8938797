from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "ballots"
    verbose_name = "投票与计票"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ballots import services
        from elections.audit import register_action_labels

        register_action_labels(services.AUDIT_LABELS)

        from ballots import polling_notices, staff

        register_action_labels(staff.POLLING_AUDIT_LABELS)

        from ballots import party

        register_action_labels(party.PARTY_AUDIT_LABELS)

        from ballots import archive

        register_action_labels(archive.ARCHIVE_AUDIT_LABELS)
        polling_notices.register()

        from ballots import certification, result_notices

        register_action_labels(certification.AUDIT_LABELS)
        result_notices.register()
