"""Writing CTEs on PostgreSQL: several inserts, updates and upserts in one statement (pacm issue 8).

The write path's statements are folded into one where the database allows it: every part but the
last is a named CTE (`name AS (sql)`), the last is the statement itself; a part reads the ids an
earlier part RETURNs by joining it on a natural key. PostgreSQL runs every data-modifying CTE, read
or not. SQLite has no writing CTE: the callers keep their ORM path there (`folds()` is False).

The rows are the model's own: each value goes through the field's `pre_save` and
`get_db_prep_save`, as the ORM's insert does, and is cast to the column's type (a VALUES list has
no column to infer it from).
"""
from django.db import connection


def folds():
    """Whether this database runs writing CTEs (PostgreSQL)."""
    return connection.vendor == "postgresql"


def quote(name):
    return connection.ops.quote_name(name)


def insert_fields(model, *, exclude=()):
    """The concrete fields an insert of `model` writes (the ORM's: every one but the auto key)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in exclude]


def _cast(field):
    return field.rel_db_type(connection) if field.is_relation else field.cast_db_type(connection)


def field_values(obj, fields, *, add=True):
    """(params, casts) of `obj`'s values for `fields`, prepared as the ORM's insert (or update) prepares them."""
    params = [f.get_db_prep_save(f.pre_save(obj, add), connection) for f in fields]
    return params, [_cast(f) for f in fields]


def values(rows, casts):
    """(VALUES list, params) for `rows`, each a list of len(casts) parameters, each cast."""
    one = "(" + ", ".join(f"%s::{c}" for c in casts) + ")"
    return ", ".join([one] * len(rows)), [p for row in rows for p in row]


def insert(model, objs, *, exclude=(), extra=(), join="", select=None, returning=""):
    """The SQL of inserting `objs` (one multi-row statement) as (sql, params).

    `extra`: [(column alias, cast, value per obj)] appended to each VALUES row, for `select` to read;
    `select`: the SELECT list over the VALUES (aliased v, columns c0, c1, ...), with `join` after it,
    when some column comes from another part (a parent's id); else the values are inserted as they are.
    """
    fields = insert_fields(model, exclude=exclude)
    rows, casts = [], None
    for obj in objs:
        params, casts = field_values(obj, fields)
        rows.append(params + [value(obj) for _alias, _cast_name, value in extra])
    casts = casts + [c for _a, c, _v in extra]
    sql, params = values(rows, casts)
    columns = [quote(f.column) for f in fields]
    table = quote(model._meta.db_table)
    if select is None:
        body = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {sql}"
    else:
        aliases = [f"c{i}" for i in range(len(fields))] + [a for a, _c, _v in extra]
        select_columns, select_list = select
        body = (f"INSERT INTO {table} ({', '.join(columns + select_columns)}) SELECT "
                f"{', '.join(f'v.c{i}' for i in range(len(fields)))}{', ' if select_list else ''}"
                f"{', '.join(select_list)} FROM (VALUES {sql}) AS v({', '.join(aliases)}) {join}")
    if returning:
        body += f" RETURNING {returning}"
    return body, params


def update(obj, fields):
    """The SQL of saving `fields` (attnames) of `obj`, by its key, as (sql, params)."""
    meta = obj._meta
    chosen = [meta.get_field(name) for name in fields]
    params, casts = field_values(obj, chosen, add=False)
    sets = ", ".join(f"{quote(f.column)} = %s::{c}" for f, c in zip(chosen, casts, strict=True))
    return (f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s",
            params + [obj.pk])


def saved(obj, pk):
    """`obj` as the ORM leaves a row it inserted: its id, and no longer being added."""
    obj.pk = pk
    obj._state.adding, obj._state.db = False, connection.alias


def run(parts):
    """Run [(name, sql, params)] as one statement: every part but the last a named CTE, then the last;
    returns the last part's rows (its RETURNING), or [] when it returns none."""
    *head, (_name, last_sql, last_params) = parts
    sql = ("WITH " + ", ".join(f"{name} AS ({body})" for name, body, _p in head) + " " if head else "") + last_sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _n, _b, params in head for p in params] + list(last_params))
        return cursor.fetchall() if cursor.description else []
