"""The mechanism's own accounts (7/CMA.4 annex I para 32, plus the reversal buffer)."""
from django.db import migrations

ACCOUNTS = [
    ("PACM-PENDING", "pending", "Pending account"),
    ("PACM-SOP-AF", "sop_adaptation", "Adaptation Fund share of proceeds account"),
    ("PACM-OMGE-MAND", "omge_mandatory", "Mandatory OMGE cancellation account"),
    ("PACM-OMGE-VOL", "omge_voluntary", "Voluntary OMGE cancellation account"),
    ("PACM-CANC-OIMP", "cancellation_oimp", "Cancellation for other international mitigation purposes"),
    ("PACM-CANC-VOL", "voluntary_cancellation", "Voluntary cancellation account"),
    ("PACM-CANC-ADMIN", "admin_cancellation", "Administrative cancellation account"),
    ("PACM-BUFFER", "buffer", "Reversal buffer pool account"),
]


def seed(apps, schema_editor):
    Account = apps.get_model("registry", "Account")
    for number, kind, name in ACCOUNTS:
        Account.objects.get_or_create(kind=kind, defaults={"number": number, "name": name})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
