"""Reference data every installation needs: the sectoral scopes and the first rule set.

The rule set carries policy.md's defaults; the secretariat publishes later versions in the admin.
"""
import datetime

from django.db import migrations

SCOPES = [
    (1, "Energy industries (renewable / non-renewable sources)"),
    (2, "Energy distribution"),
    (3, "Energy demand"),
    (4, "Manufacturing industries"),
    (5, "Chemical industries"),
    (6, "Construction"),
    (7, "Transport"),
    (8, "Mining / mineral production"),
    (9, "Metal production"),
    (10, "Fugitive emissions from fuels (solid, oil and gas)"),
    (11, "Fugitive emissions from production and consumption of halocarbons and SF6"),
    (12, "Solvent use"),
    (13, "Waste handling and disposal"),
    (14, "Afforestation and reforestation"),
    (15, "Agriculture"),
]


def seed(apps, schema_editor):
    SectoralScope = apps.get_model("methodologies", "SectoralScope")
    RuleSet = apps.get_model("methodologies", "RuleSet")
    Methodology = apps.get_model("methodologies", "Methodology")
    MethodologyVersion = apps.get_model("methodologies", "MethodologyVersion")
    for number, name in SCOPES:
        SectoralScope.objects.get_or_create(number=number, defaults={"name": name})
    RuleSet.objects.get_or_create(
        version="2021-01",
        defaults={
            "effective_from": datetime.date(2021, 1, 1),
            "notes": "policy.md defaults: CMA maxima for fees, SOP 5% rounded down, OMGE 2% rounded up, "
            "placeholder buffer rates 10/20/30%, CDM-practice timers.",
        },
    )
    # The first mechanism methodology (SBM019, 29-30 Oct 2025; rules.md §0.3).
    amm, _ = Methodology.objects.get_or_create(
        code="A6.4-AMM-001", defaults={"title": "Flaring or use of landfill gas", "kind": "reductions"}
    )
    amm.sectoral_scopes.add(SectoralScope.objects.get(number=13))
    MethodologyVersion.objects.get_or_create(
        methodology=amm, version="1.0", defaults={"status": "approved", "valid_from": datetime.date(2025, 10, 30)}
    )


class Migration(migrations.Migration):
    dependencies = [("methodologies", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
