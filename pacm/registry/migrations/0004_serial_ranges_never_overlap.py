"""PostgreSQL only: the database itself refuses overlapping serial ranges per activity and vintage.

policy.md §5: serial numbers are never reused, and each unit sits in exactly one account
(7/CMA.4 annex I para 31), so no two blocks of one activity and vintage may share a serial.
A split shrinks the old row before it inserts the new one, so the constraint holds after every
statement and need not be deferred. SQLite has no exclusion constraints; there the services'
row locks and the tests' invariants carry the rule.
"""
from django.db import migrations

CONSTRAINT = "registry_unitblock_serials_no_overlap"
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE registry_unitblock ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (
        activity_id WITH =, vintage WITH =, int8range(serial_start, serial_end, '[]') WITH &&)""",
]
BACKWARD = [f"ALTER TABLE registry_unitblock DROP CONSTRAINT IF EXISTS {CONSTRAINT}"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_block_first_transfer_definition_account_owners")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
