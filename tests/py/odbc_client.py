"""psqlODBC (the Debian `odbc-postgresql` driver, through unixODBC and pyodbc) against the
server whose libpq URL is argv[1] (issue 5, point 5).

Connects with a DSN-less connection string, then calls the ODBC catalog functions a BI tool
or ORM calls: SQLTables, SQLColumns, SQLPrimaryKeys (one column and composite) and
SQLGetTypeInfo; runs `?`-parameterised statements; commits and rolls back with autocommit
off. Prints one line per observation; tests/tests/e2e/odbc.rs compares them with what
PostgreSQL 15 gives. The catalog (database) name differs per run, so it prints as <db>.
"""

import sys
from datetime import date
from decimal import Decimal
from urllib.parse import urlparse

import pyodbc

url = urlparse(sys.argv[1])
DB = url.path.lstrip("/")
CONN_STR = (
    "Driver={PostgreSQL Unicode};"
    f"Server={url.hostname};Port={url.port};Database={DB};UID={url.username or 'postgres'};"
)


def show(value):
    """A value as printed: the database name as <db>, everything else as repr()."""
    return "<db>" if value == DB else repr(value)


def fields(row, names):
    return " ".join(f"{name}={show(getattr(row, name))}" for name in names)


conn = pyodbc.connect(CONN_STR, autocommit=True)
print("driver:", conn.getinfo(pyodbc.SQL_DRIVER_NAME))
print("dbms:", conn.getinfo(pyodbc.SQL_DBMS_NAME))
print("database:", show(conn.getinfo(pyodbc.SQL_DATABASE_NAME)))
cur = conn.cursor()

cur.execute("CREATE SCHEMA odbc_s")
cur.execute(
    "CREATE TABLE odbc_items (id integer PRIMARY KEY, name varchar(20) NOT NULL,"
    " price numeric(8,2) DEFAULT 0, added date, active boolean, note text)"
)
cur.execute(
    "CREATE TABLE odbc_s.pairs (a integer NOT NULL, b varchar(10) NOT NULL,"
    " at timestamp, ratio double precision, PRIMARY KEY (b, a))"
)

# SQLTables: the tables of one schema, then of every schema whose name matches a pattern.
for row in cur.tables(schema="public", tableType="TABLE"):
    print("table:", fields(row, ["table_cat", "table_schem", "table_name", "table_type"]))
for row in cur.tables(table="pairs", schema="odbc%"):
    print("table:", fields(row, ["table_cat", "table_schem", "table_name", "table_type"]))

# SQLColumns
COLUMN_FIELDS = [
    "column_name", "data_type", "type_name", "column_size", "decimal_digits",
    "nullable", "column_def", "ordinal_position",
]
for schema, table in [("public", "odbc_items"), ("odbc_s", "pairs")]:
    for row in cur.columns(table=table, schema=schema):
        print(f"column {schema}.{table}:", fields(row, COLUMN_FIELDS))

# SQLPrimaryKeys: single column, then composite (key order b, a).
for schema, table in [("public", "odbc_items"), ("odbc_s", "pairs")]:
    for row in cur.primaryKeys(table=table, schema=schema):
        print(f"primary key {schema}.{table}:", fields(row, ["column_name", "key_seq"]))

# SQLGetTypeInfo for a few SQL types.
for sql_type in [pyodbc.SQL_INTEGER, pyodbc.SQL_WVARCHAR, pyodbc.SQL_DECIMAL, pyodbc.SQL_TYPE_DATE]:
    for row in cur.getTypeInfo(sql_type):
        print("type info:", fields(row, ["type_name", "data_type", "column_size", "nullable"]))

# `?` parameters.
cur.execute(
    "INSERT INTO odbc_items (id, name, price, added, active) VALUES (?, ?, ?, ?, ?)",
    1, "apple", Decimal("1.50"), date(2024, 1, 2), True,
)
print("insert rowcount:", cur.rowcount)
cur.executemany(
    "INSERT INTO odbc_items (id, name, added, active, note) VALUES (?, ?, ?, ?, ?)",
    [(2, "pear", date(2024, 3, 4), False, None), (3, "plum's", None, True, "ripe")],
)
cur.execute("SELECT id, name, price, added, active, note FROM odbc_items WHERE id >= ? ORDER BY id", 2)
print("columns:", [d[0] for d in cur.description])
for row in cur.fetchall():
    print("row:", tuple(row))
cur.execute("SELECT name FROM odbc_items WHERE name = ? AND active = ?", "plum's", True)
print("fetchval:", cur.fetchval())
cur.execute("UPDATE odbc_items SET price = price + ? WHERE id <= ?", Decimal("0.25"), 2)
print("update rowcount:", cur.rowcount)
print("prices:", [tuple(r) for r in cur.execute("SELECT id, price FROM odbc_items ORDER BY id")])

# Transactions with autocommit off: a rolled-back insert is gone, a committed one stays
# and is seen by another connection.
tx = pyodbc.connect(CONN_STR, autocommit=False)
tcur = tx.cursor()
tcur.execute("INSERT INTO odbc_items (id, name) VALUES (?, ?)", 10, "rolled back")
print("in transaction:", tcur.execute("SELECT count(*) FROM odbc_items").fetchval())
tx.rollback()
print("after rollback:", tcur.execute("SELECT count(*) FROM odbc_items").fetchval())
tcur.execute("INSERT INTO odbc_items (id, name) VALUES (?, ?)", 11, "committed")
print("other connection before commit:", cur.execute("SELECT count(*) FROM odbc_items").fetchval())
tx.commit()
print("other connection after commit:", cur.execute("SELECT count(*) FROM odbc_items").fetchval())
tx.close()

try:
    cur.execute("INSERT INTO odbc_items (id, name) VALUES (?, ?)", 1, "dup")
except pyodbc.IntegrityError as e:
    print("IntegrityError:", e.args[0])

cur.execute("DROP TABLE odbc_items")
cur.execute("DROP TABLE odbc_s.pairs")
cur.execute("DROP SCHEMA odbc_s")
conn.close()
print("done")
