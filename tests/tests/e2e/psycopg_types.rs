//! Type round trips through psycopg 3 (issue 3): `tests/py/psycopg_types.py` writes each
//! type's values with text (`%t`) and binary (`%b`) parameters and reads them back with a
//! text and a binary cursor; its output is compared with what PostgreSQL 15 gives.

use super::psycopg::run_script;

/// What the script prints against PostgreSQL 15: per type, the values a text cursor reads,
/// then whether each write/read format pair gives back exactly what was written.
const EXPECTED: &str = r#"smallint: [-32768, 32767, 0, None]
smallint text->text: True
smallint text->binary: True
smallint binary->text: True
smallint binary->binary: True
integer: [-2147483648, 2147483647, 0, None]
integer text->text: True
integer text->binary: True
integer binary->text: True
integer binary->binary: True
bigint: [-9223372036854775808, 9223372036854775807, 0, None]
bigint text->text: True
bigint text->binary: True
bigint binary->text: True
bigint binary->binary: True
real: [nan, inf, -inf, -0.0, 0.15625, 16777216.0, None]
real text->text: True
real text->binary: True
real binary->text: True
real binary->binary: True
double precision: [nan, inf, -inf, -0.0, 1.5e+300, 5e-324, 0.1, None]
double precision text->text: True
double precision text->binary: True
double precision binary->text: True
double precision binary->binary: True
numeric(12,4): [Decimal('12345678.1234'), Decimal('-0.0001'), Decimal('1.5000'), Decimal('0.0000'), None]
numeric(12,4) text->text: True
numeric(12,4) text->binary: True
numeric(12,4) binary->text: True
numeric(12,4) binary->binary: True
numeric(38,6): [Decimal('12345678901234567890123456789012.123456'), Decimal('-98765432109876543210987654321098.500000'), None]
numeric(38,6) text->text: True
numeric(38,6) text->binary: True
numeric(38,6) binary->text: True
numeric(38,6) binary->binary: True
numeric(4,-2): [Decimal('123500'), Decimal('-200'), Decimal('0'), Decimal('0'), None]
numeric(4,-2) text->text: True
numeric(4,-2) text->binary: True
numeric(4,-2) binary->text: True
numeric(4,-2) binary->binary: True
numeric: [Decimal('NaN'), Decimal('Infinity'), Decimal('-Infinity'), Decimal('-2.5'), Decimal('123456789012345678901234567890.123'), None]
numeric text->text: True
numeric text->binary: True
numeric binary->text: True
numeric binary->binary: True
text: ['', 'plain', 'quote\'s "and" back\\slash', 'héllo ✓ 😀', None]
text text->text: True
text text->binary: True
text binary->text: True
text binary->binary: True
varchar(12): ['', 'twelve chars', None]
varchar(12) text->text: True
varchar(12) text->binary: True
varchar(12) binary->text: True
varchar(12) binary->binary: True
char(5): ['ab   ', 'abcde', None]
char(5) text->text: True
char(5) text->binary: True
char(5) binary->text: True
char(5) binary->binary: True
boolean: [True, False, None]
boolean text->text: True
boolean text->binary: True
boolean binary->text: True
boolean binary->binary: True
date: [datetime.date(1, 1, 1), datetime.date(1969, 12, 31), datetime.date(1900, 2, 28), datetime.date(2000, 1, 1), datetime.date(9999, 12, 31), None]
date text->text: True
date text->binary: True
date binary->text: True
date binary->binary: True
time: [datetime.time(0, 0), datetime.time(23, 59, 59, 999999), datetime.time(12, 34, 56, 1), None]
time text->text: True
time text->binary: True
time binary->text: True
time binary->binary: True
timestamp: [datetime.datetime(1, 1, 1, 0, 0, 0, 1), datetime.datetime(1969, 12, 31, 23, 59, 59, 999999), datetime.datetime(2024, 2, 29, 12, 0, 0, 123456), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999), None]
timestamp text->text: True
timestamp text->binary: True
timestamp binary->text: True
timestamp binary->binary: True
timestamptz: [datetime.datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=datetime.timezone.utc), datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc), datetime.datetime(2024, 2, 29, 12, 0, 0, 123456, tzinfo=datetime.timezone.utc), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc), None]
timestamptz text->text: True
timestamptz text->binary: True
timestamptz binary->text: True
timestamptz binary->binary: True
interval: [datetime.timedelta(0), datetime.timedelta(days=-3, microseconds=1), datetime.timedelta(days=400, seconds=18367, microseconds=890123), datetime.timedelta(days=-1, seconds=86399, microseconds=999999), None]
interval text->text: True
interval text->binary: True
interval binary->text: True
interval binary->binary: True
bytea: [b'', b'\x00', b"a\x00b\xff\x01\\'", None]
bytea text->text: True
bytea text->binary: True
bytea binary->text: True
bytea binary->binary: True
uuid: [UUID('00000000-0000-0000-0000-000000000000'), UUID('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), None]
uuid text->text: True
uuid text->binary: True
uuid binary->text: True
uuid binary->binary: True
json: [{'a': [1, 2.5, None, True, 'xé'], 'nested': {'k': 'v'}, '': {}}, [], 'str', None, None]
json text->text: True
json text->binary: True
json binary->text: True
json binary->binary: True
jsonb: [{'': {}, 'a': [1, 2.5, None, True, 'xé'], 'nested': {'k': 'v'}}, [], -1.25, None]
jsonb text->text: True
jsonb text->binary: True
jsonb binary->text: True
jsonb binary->binary: True
done
"#;

#[tokio::test]
async fn psycopg_type_round_trips_in_text_and_binary() {
    if let Some(stdout) = run_script("psycopg_types.py").await {
        assert_eq!(stdout, EXPECTED);
    }
}
