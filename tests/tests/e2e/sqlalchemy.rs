//! SQLAlchemy 2 over psycopg 3 (issue 5, point 7): `tests/py/sqlalchemy_client.py` reflects
//! tables through the inspector (schemas, tables, columns with types, nullability and
//! defaults, primary keys single and composite, indexes; and, for issue 13 point 2, the
//! indexes, unique constraints, primary key and foreign keys of a table with a primary key,
//! a UNIQUE constraint, a two-column unique index, a two-column index with a DESC column,
//! an index with NULLS FIRST / LAST and INCLUDE columns and two foreign keys, one of them
//! composite), then creates a declarative model with `metadata.create_all()` and inserts,
//! queries, updates and deletes through an ORM session. Its printed lines are compared with
//! what PostgreSQL 15 gives.

use super::psycopg::run_python_script;

/// What the script prints against PostgreSQL 15.
const EXPECTED: &str = r#"default schema: public
schemas: ['information_schema', 'public', 'sa_s']
tables: ['sa_items']
tables sa_s: ['accounts', 'pairs']
has_table: True True False
column sa_items: id INTEGER() nullable=False default=None
column sa_items: name VARCHAR(length=20) nullable=False default=None
column sa_items: code CHAR(length=3) nullable=True default="'abc'::bpchar"
column sa_items: price NUMERIC(precision=8, scale=2) nullable=True default='0'
column sa_items: qty SMALLINT() nullable=False default='1'
column sa_items: big BIGINT() nullable=True default=None
column sa_items: ratio DOUBLE_PRECISION(precision=53) nullable=True default=None
column sa_items: score REAL() nullable=True default=None
column sa_items: note TEXT() nullable=True default=None
column sa_items: active BOOLEAN() nullable=True default='true'
column sa_items: added DATE() nullable=True default=None
column sa_items: at TIMESTAMP() nullable=True default=None
column sa_items: at_tz TIMESTAMP(timezone=True) nullable=True default=None
column sa_items: taken TIME() nullable=True default=None
column sa_items: span INTERVAL() nullable=True default=None
column sa_items: uid UUID() nullable=True default=None
column sa_items: raw BYTEA() nullable=True default=None
column sa_items: doc JSONB(astext_type=Text()) nullable=True default=None
column sa_items: tags ARRAY(TEXT()) nullable=True default=None
pk sa_items: ['id'] sa_items_pkey
indexes sa_items: []
column pairs: a INTEGER() nullable=False default=None
column pairs: b VARCHAR(length=10) nullable=False default=None
column pairs: amount NUMERIC(precision=12, scale=4) nullable=False default='1.5'
pk pairs: ['b', 'a'] pairs_pkey
indexes pairs: []
pk accounts: {'constrained_columns': ['id'], 'name': 'accounts_pkey', 'comment': None, 'dialect_options': {'postgresql_include': []}}
index accounts: {'column_names': ['handle'], 'dialect_options': {'postgresql_include': []}, 'duplicates_constraint': 'accounts_handle_key', 'name': 'accounts_handle_key', 'unique': True}
index accounts: {'column_names': ['item', 'iban'], 'dialect_options': {'postgresql_include': []}, 'name': 'accounts_item_iban_idx', 'unique': True}
index accounts: {'column_names': ['opened', 'id'], 'column_sorting': {'opened': ('desc', 'nulls_last'), 'id': ('nulls_first',)}, 'dialect_options': {'postgresql_include': ['iban']}, 'name': 'accounts_opened_idx', 'unique': False}
index accounts: {'column_names': ['region', 'opened'], 'column_sorting': {'opened': ('desc',)}, 'dialect_options': {'postgresql_include': []}, 'name': 'accounts_region_opened_idx', 'unique': False}
unique accounts: {'column_names': ['handle'], 'comment': None, 'dialect_options': {'postgresql_include': [], 'postgresql_nulls_not_distinct': False}, 'name': 'accounts_handle_key'}
fk accounts: {'comment': None, 'constrained_columns': ['item'], 'name': 'accounts_item_fkey', 'options': {'ondelete': 'CASCADE'}, 'referred_columns': ['id'], 'referred_schema': None, 'referred_table': 'sa_items'}
fk accounts: {'comment': None, 'constrained_columns': ['pb', 'pa'], 'name': 'accounts_pair_fk', 'options': {'onupdate': 'CASCADE'}, 'referred_columns': ['b', 'a'], 'referred_schema': 'sa_s', 'referred_table': 'pairs'}
created: ['sa_items', 'sa_products']
product columns: [('id', 'INTEGER()', False), ('name', 'VARCHAR(length=40)', False), ('price', 'NUMERIC(precision=8, scale=2)', False), ('added', 'DATE()', True), ('active', 'BOOLEAN()', False)]
row: Product(1, 'apple', Decimal('1.50'), datetime.date(2024, 1, 2), True)
row: Product(2, 'pear', Decimal('2.25'), None, False)
row: Product(3, "plum's", Decimal('0.99'), datetime.date(2024, 5, 6), True)
active: ['apple', "plum's"]
get: Product(3, "plum's", Decimal('0.99'), datetime.date(2024, 5, 6), True)
updated: Product(2, 'pear', Decimal('2.50'), None, True)
count: 2
remaining: [2, 3]
tables after drop: []
done
"#;

#[tokio::test]
async fn an_sqlalchemy_session() {
    let probe = "import psycopg, sqlalchemy; assert int(sqlalchemy.__version__.split('.')[0]) >= 2";
    let missing = "SQLAlchemy 2 or psycopg 3 is missing for python3 \
        (pip install 'sqlalchemy>=2' 'psycopg[binary]')";
    if let Some(stdout) = run_python_script("sqlalchemy_client.py", probe, missing).await {
        assert_eq!(stdout, EXPECTED);
    }
}
