from django.db import migrations


def install(apps, schema_editor):
    # Ships the 新河 plan's 十种情形 as the default negative list (Q1).
    from vetting.defaults import install_default_list

    install_default_list(
        apps.get_model("vetting", "NegativeList"), apps.get_model("vetting", "NegativeItem")
    )


class Migration(migrations.Migration):
    dependencies = [("vetting", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
