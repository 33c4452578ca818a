//! psqlODBC through unixODBC (issue 5, point 5): `tests/py/odbc_client.py` drives the
//! `PostgreSQL Unicode` driver with pyodbc against the server: SQLTables, SQLColumns,
//! SQLPrimaryKeys (single and composite), SQLGetTypeInfo, `?` parameters, commit and
//! rollback. Its printed lines are compared with what PostgreSQL 15 gives.

use super::psycopg::run_python_script;

/// What the script prints against PostgreSQL 15 (the database name printed as `<db>`).
const EXPECTED: &str = r#"driver: psqlodbcw.so
dbms: PostgreSQL
database: <db>
table: table_cat=<db> table_schem='public' table_name='odbc_items' table_type='TABLE'
table: table_cat=<db> table_schem='odbc_s' table_name='pairs' table_type='TABLE'
column public.odbc_items: column_name='id' data_type=4 type_name='int4' column_size=10 decimal_digits=0 nullable=0 column_def=None ordinal_position=1
column public.odbc_items: column_name='name' data_type=-9 type_name='varchar' column_size=20 decimal_digits=None nullable=0 column_def=None ordinal_position=2
column public.odbc_items: column_name='price' data_type=2 type_name='numeric' column_size=8 decimal_digits=2 nullable=1 column_def='0' ordinal_position=3
column public.odbc_items: column_name='added' data_type=91 type_name='date' column_size=10 decimal_digits=None nullable=1 column_def=None ordinal_position=4
column public.odbc_items: column_name='active' data_type=12 type_name='bool' column_size=5 decimal_digits=0 nullable=1 column_def=None ordinal_position=5
column public.odbc_items: column_name='note' data_type=-10 type_name='text' column_size=8190 decimal_digits=None nullable=1 column_def=None ordinal_position=6
column odbc_s.pairs: column_name='a' data_type=4 type_name='int4' column_size=10 decimal_digits=0 nullable=0 column_def=None ordinal_position=1
column odbc_s.pairs: column_name='b' data_type=-9 type_name='varchar' column_size=10 decimal_digits=None nullable=0 column_def=None ordinal_position=2
column odbc_s.pairs: column_name='at' data_type=93 type_name='timestamp' column_size=26 decimal_digits=6 nullable=1 column_def=None ordinal_position=3
column odbc_s.pairs: column_name='ratio' data_type=6 type_name='float8' column_size=17 decimal_digits=0 nullable=1 column_def=None ordinal_position=4
primary key public.odbc_items: column_name='id' key_seq=1
primary key odbc_s.pairs: column_name='b' key_seq=1
primary key odbc_s.pairs: column_name='a' key_seq=2
type info: type_name='int4' data_type=4 column_size=10 nullable=1
type info: type_name='varchar' data_type=-9 column_size=255 nullable=1
type info: type_name='numeric' data_type=3 column_size=28 nullable=1
type info: type_name='date' data_type=91 column_size=10 nullable=1
insert rowcount: 1
columns: ['id', 'name', 'price', 'added', 'active', 'note']
row: (2, 'pear', Decimal('0.00'), datetime.date(2024, 3, 4), '0', None)
row: (3, "plum's", Decimal('0.00'), None, '1', 'ripe')
fetchval: plum's
update rowcount: 2
prices: [(1, Decimal('1.75')), (2, Decimal('0.25')), (3, Decimal('0.00'))]
in transaction: 4
after rollback: 3
other connection before commit: 3
other connection after commit: 4
IntegrityError: 23505
done
"#;

/// pyodbc importable and the psqlODBC driver registered with unixODBC.
const PROBE: &str = "import pyodbc; assert 'PostgreSQL Unicode' in pyodbc.drivers()";

#[tokio::test]
async fn an_odbc_session() {
    let missing = "pyodbc or psqlODBC is missing \
        (apt-get install odbc-postgresql unixodbc; pip install pyodbc)";
    if let Some(stdout) = run_python_script("odbc_client.py", PROBE, missing).await {
        assert_eq!(stdout, EXPECTED);
    }
}
