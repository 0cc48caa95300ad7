"""The maintained per-account balances (models.AccountBalance; pacm issue 8), backfilled from the blocks."""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Sum

SHARDS = 8  # models.TOTAL_SHARDS when this migration was written


def backfill(apps, schema_editor):
    UnitBlock = apps.get_model("registry", "UnitBlock")
    AccountBalance = apps.get_model("registry", "AccountBalance")
    rows = {}
    held = (UnitBlock.objects.values("account_id", "activity_id")
            .annotate(units=Sum(F("serial_end") - F("serial_start") + 1)).order_by())
    for r in held:
        key = (r["account_id"], r["activity_id"] % SHARDS)
        rows[key] = rows.get(key, 0) + r["units"]
    AccountBalance.objects.bulk_create(
        [AccountBalance(account_id=a, shard=s, units=u) for (a, s), u in sorted(rows.items()) if u],
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0007_registry_totals"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountBalance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("shard", models.PositiveSmallIntegerField(default=0)),
                ("units", models.BigIntegerField(default=0)),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="balances",
                                              to="registry.account")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("account", "shard"), name="account_balance_key")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
