"""Type round trips through psycopg 3 against the server whose libpq URL is argv[1].

For each column type, values are written with server-side parameters in text format
(`%t`) and in binary format (`%b`), and read back with a text cursor and a binary cursor.
Prints, per type, the repr of what a text cursor reads after text writes, then one line
per write/read format pair: True when every value read is the one expected (same Python
type, and the same repr for floats and decimals, so -0.0, NaN and scales count).
tests/tests/e2e/psycopg_types.rs compares the output with what PostgreSQL 15 gives.
"""

import sys
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import psycopg
from psycopg.types.json import Json, Jsonb

NAN = float("nan")
INF = float("inf")
UTC = timezone.utc
DOC = {"a": [1, 2.5, None, True, "x\u00e9"], "nested": {"k": "v"}, "": {}}

# (column type, values written, values read back when they differ from those written)
CASES = [
    ("smallint", [-32768, 32767, 0, None], None),
    ("integer", [-2147483648, 2147483647, 0, None], None),
    ("bigint", [-(2**63), 2**63 - 1, 0, None], None),
    ("real", [NAN, INF, -INF, -0.0, 0.15625, 16777216.0, None], None),
    ("double precision", [NAN, INF, -INF, -0.0, 1.5e300, 5e-324, 0.1, None], None),
    (
        "numeric(12,4)",
        [Decimal("12345678.1234"), Decimal("-0.0001"), Decimal("1.5"), Decimal("0"), None],
        [Decimal("12345678.1234"), Decimal("-0.0001"), Decimal("1.5000"), Decimal("0.0000"), None],
    ),
    (
        "numeric(38,6)",
        [Decimal("12345678901234567890123456789012.123456"), Decimal("-98765432109876543210987654321098.5"), None],
        [Decimal("12345678901234567890123456789012.123456"), Decimal("-98765432109876543210987654321098.500000"), None],
    ),
    (
        "numeric(4,-2)",
        [Decimal("123456"), Decimal("-150"), Decimal("49.9"), Decimal("0"), None],
        [Decimal("123500"), Decimal("-200"), Decimal("0"), Decimal("0"), None],
    ),
    (
        "numeric",
        [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("-2.5"), Decimal("123456789012345678901234567890.123"), None],
        None,
    ),
    ("text", ["", "plain", "quote's \"and\" back\\slash", "h\u00e9llo \u2713 \U0001f600", None], None),
    ("varchar(12)", ["", "twelve chars", None], None),
    ("char(5)", ["ab", "abcde", None], ["ab   ", "abcde", None]),
    ("boolean", [True, False, None], None),
    ("date", [date(1, 1, 1), date(1969, 12, 31), date(1900, 2, 28), date(2000, 1, 1), date(9999, 12, 31), None], None),
    ("time", [time(0, 0), time(23, 59, 59, 999999), time(12, 34, 56, 1), None], None),
    (
        "timestamp",
        [
            datetime(1, 1, 1, 0, 0, 0, 1),
            datetime(1969, 12, 31, 23, 59, 59, 999999),
            datetime(2024, 2, 29, 12, 0, 0, 123456),
            datetime(9999, 12, 31, 23, 59, 59, 999999),
            None,
        ],
        None,
    ),
    (
        "timestamptz",
        [
            datetime(1, 1, 1, 0, 0, 0, 1, UTC),
            datetime(1969, 12, 31, 23, 59, 59, 999999, UTC),
            datetime(2024, 2, 29, 12, 0, 0, 123456, UTC),
            datetime(9999, 12, 31, 23, 59, 59, 999999, UTC),
            None,
        ],
        None,
    ),
    (
        "interval",
        [
            timedelta(0),
            timedelta(days=-3, microseconds=1),
            timedelta(days=400, hours=5, minutes=6, seconds=7, microseconds=890123),
            timedelta(microseconds=-1),
            None,
        ],
        None,
    ),
    ("bytea", [b"", b"\x00", b"a\x00b\xff\x01\\'", None], None),
    ("uuid", [UUID("00000000-0000-0000-0000-000000000000"), UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), None], None),
    ("json", [Json(DOC), Json([]), Json("str"), Json(None), None], [DOC, [], "str", None, None]),
    ("jsonb", [Jsonb(DOC), Jsonb([]), Jsonb(-1.25), None], [DOC, [], -1.25, None]),
]


def same(read, expected):
    """The value read is the expected one: same type, and for floats and decimals same repr."""
    if type(read) is not type(expected):
        return False
    if isinstance(read, (float, Decimal)):
        return repr(read) == repr(expected)
    return read == expected


def main(url):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        for index, (sql_type, written, expected) in enumerate(CASES):
            expected = written if expected is None else expected
            table = f"py_types_{index}"
            conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, w text, v {sql_type})")
            for write, placeholder in (("text", "%t"), ("binary", "%b")):
                try:
                    for i, value in enumerate(written):
                        row_id = i + 100 * (write == "binary")
                        conn.execute(
                            f"INSERT INTO {table} (id, w, v) VALUES ({row_id}, '{write}', {placeholder})",
                            (value,),
                        )
                except psycopg.Error as e:
                    print(f"{sql_type} {write} write failed: {e.sqlstate} {e}")
                for read in ("text", "binary"):
                    cur = conn.cursor(binary=read == "binary")
                    cur.execute(f"SELECT v FROM {table} WHERE w = '{write}' ORDER BY id")
                    values = [row[0] for row in cur]
                    if write == "text" and read == "text":
                        print(f"{sql_type}: {values!r}")
                    ok = len(values) == len(expected) and all(map(same, values, expected))
                    print(f"{sql_type} {write}->{read}: {ok}" + ("" if ok else f" {values!r}"))
            conn.execute(f"DROP TABLE {table}")
    print("done")


main(sys.argv[1])
