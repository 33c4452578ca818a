"""A psycopg 3 session against the server whose libpq URL is argv[1].

Prints one line per observation; tests/tests/e2e/psycopg.rs compares them with what
PostgreSQL 15 gives. Statements without parameters go through the simple query protocol;
ClientCursor binds parameters on the client side, so it stays on that protocol too.
"""

import sys
from datetime import date
from decimal import Decimal

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    info = conn.info
    print("server_version >= 140000:", info.server_version >= 140000)
    print("encoding:", info.encoding)
    print("DateStyle:", info.parameter_status("DateStyle"))
    print("standard_conforming_strings:", info.parameter_status("standard_conforming_strings"))

    conn.execute(
        "CREATE TABLE py_items (id int PRIMARY KEY, name text NOT NULL, price numeric(8,2),"
        " added date, active boolean, ratio double precision)"
    )
    cur = conn.execute(
        "INSERT INTO py_items VALUES (1, 'apple', 1.50, '2024-01-02', true, 0.5),"
        " (2, 'pear', 2.25, '2024-03-04', false, NULL)"
    )
    print("insert rowcount:", cur.rowcount, cur.statusmessage)

    cur = conn.execute("SELECT id, name, price, added, active, ratio FROM py_items ORDER BY id")
    print("columns:", [col.name for col in cur.description])
    for row in cur:
        print("row:", repr(row))

    cur = psycopg.ClientCursor(conn)
    cur.execute("INSERT INTO py_items VALUES (%s, %s, %s, %s, %s, %s)", (3, "plum's", Decimal("0.99"), date(2024, 5, 6), True, 1.25))
    print("client-side insert:", cur.rowcount, cur.statusmessage)
    cur.execute("UPDATE py_items SET price = price * 2 WHERE id >= %s", (2,))
    print("update:", cur.rowcount, cur.statusmessage)
    cur.execute("SELECT name, price FROM py_items WHERE id = %s", (3,))
    print("fetchone:", cur.fetchone())

    try:
        conn.execute("INSERT INTO py_items (id, name) VALUES (1, 'dup')")
    except psycopg.errors.UniqueViolation as e:
        print("UniqueViolation:", e.sqlstate)
    try:
        conn.execute("SELECT * FROM missing")
    except psycopg.errors.UndefinedTable as e:
        print("UndefinedTable:", e.sqlstate)

    cur = conn.execute("DELETE FROM py_items WHERE id = 1")
    print("delete:", cur.rowcount, cur.statusmessage)
    print("count:", conn.execute("SELECT count(*) FROM py_items").fetchone()[0])
    conn.execute("DROP TABLE py_items")
    print("done")
