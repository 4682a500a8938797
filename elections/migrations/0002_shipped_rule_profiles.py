from django.db import migrations


def install(apps, schema_editor):
    from elections.profiles import install_profiles

    install_profiles(apps.get_model("elections", "RuleProfile"))


class Migration(migrations.Migration):
    dependencies = [("elections", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
