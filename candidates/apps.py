from importlib import import_module

from django.apps import AppConfig

#: The modules of `candidates.services` and `candidates.checks` that register
#: something with the core at start-up (audit labels, stage checks).
SERVICE_MODULES = ("seats", "committee", "nominations", "party", "slate", "kinship")


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "候选人"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from elections.audit import register_action_labels

        for name in SERVICE_MODULES:
            try:
                module = import_module(f"candidates.services.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"candidates.services.{name}":
                    raise
                continue
            register_action_labels(getattr(module, "AUDIT_LABELS", {}))
        import_module("candidates.checks")  # registers the stage checks
