"""Bulk inserts for large loads: COPY on PostgreSQL, executemany on SQLite.

Rows are dicts keyed by column name. Nothing here commits: the rows join the caller's
transaction, so a load that fails half-way leaves nothing behind.
"""

import sqlalchemy as sa

# Below this many rows one multi-row INSERT is quicker than setting up a COPY.
COPY_FROM = 500


def insert_rows(conn, table, rows, *, return_ids=False):
    """Insert `rows` into `table`; with `return_ids`, return the new ids in the rows' order."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        return _copy_rows(conn, table, rows, return_ids)
    if return_ids:
        statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        return conn.scalars(statement, rows).all()
    conn.execute(table.insert(), rows)
    return []


def _copy_rows(conn, table, rows, return_ids):
    ids = []
    if return_ids:
        # Take the ids from the table's own sequence, so later inserts continue after them.
        ids = conn.scalars(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": f'"{table.name}"', "n": len(rows)},
        ).all()
        rows = [row | {"id": new_id} for row, new_id in zip(rows, ids, strict=True)]
    columns = [c.name for c in table.columns if c.name in rows[0]]
    names = ", ".join(f'"{name}"' for name in columns)
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
    return ids
