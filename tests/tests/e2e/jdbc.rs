//! PgJDBC works (issue 5, point 4): `tests/java/JdbcClient.java`, run with the PostgreSQL JDBC
//! driver (Debian package libpostgresql-jdbc-java) in the JDK's source-launcher mode,
//! against the server; its printed lines compared with what PostgreSQL 15 gives. It covers
//! the DatabaseMetaData calls tools make (getSchemas, getTables, getColumns, getPrimaryKeys,
//! getIndexInfo, getImportedKeys, getExportedKeys, getTypeInfo; getIndexInfo also over a
//! table with a primary key, a UNIQUE constraint, a two-column unique index, a two-column
//! index with ASC and DESC columns, an index with INCLUDE columns and a foreign key: issue
//! 13, point 2), a PreparedStatement of every common type run past the driver's
//! server-prepare threshold (named statements, binary results), executeBatch, commit and
//! rollback with autocommit off, and ResultSetMetaData.

use std::path::{Path, PathBuf};

use shale_tests::{TestServer, within};
use tokio::process::Command;

/// Where libpostgresql-jdbc-java installs the driver.
const DRIVER_JAR: &str = "/usr/share/java/postgresql.jar";

const EXPECTED: &str = "\
connected: PostgreSQL, autocommit true
== getSchemas
schema TABLE_SCHEM=information_schema TABLE_CATALOG=null
schema TABLE_SCHEM=jdbc_s TABLE_CATALOG=null
schema TABLE_SCHEM=pg_catalog TABLE_CATALOG=null
schema TABLE_SCHEM=public TABLE_CATALOG=null
schema like jdbc% TABLE_SCHEM=jdbc_s TABLE_CATALOG=null
== getTables
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=accounts_handle_key TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=accounts_item_iban_idx TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=accounts_opened_idx TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=accounts_pkey TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=accounts_region_opened_idx TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=items_pkey TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=lines_pkey TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=pairs_pkey TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=vals_pkey TABLE_TYPE=INDEX REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=accounts TABLE_TYPE=TABLE REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=items TABLE_TYPE=TABLE REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=lines TABLE_TYPE=TABLE REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=pairs TABLE_TYPE=TABLE REMARKS=null
table TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=vals TABLE_TYPE=TABLE REMARKS=null
table pa% TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=pairs TABLE_TYPE=TABLE REMARKS=null
view: no rows
== getColumns
column TABLE_NAME=items COLUMN_NAME=id DATA_TYPE=4 TYPE_NAME=int4 COLUMN_SIZE=10 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=0 COLUMN_DEF=null ORDINAL_POSITION=1 IS_NULLABLE=NO IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=name DATA_TYPE=12 TYPE_NAME=varchar COLUMN_SIZE=40 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=0 COLUMN_DEF='none'::character varying ORDINAL_POSITION=2 IS_NULLABLE=NO IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=code DATA_TYPE=1 TYPE_NAME=bpchar COLUMN_SIZE=3 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=3 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=price DATA_TYPE=2 TYPE_NAME=numeric COLUMN_SIZE=10 DECIMAL_DIGITS=2 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=0 ORDINAL_POSITION=4 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=qty DATA_TYPE=5 TYPE_NAME=int2 COLUMN_SIZE=5 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=5 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=big DATA_TYPE=-5 TYPE_NAME=int8 COLUMN_SIZE=19 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=6 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=ratio DATA_TYPE=7 TYPE_NAME=float4 COLUMN_SIZE=8 DECIMAL_DIGITS=8 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=7 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=score DATA_TYPE=8 TYPE_NAME=float8 COLUMN_SIZE=17 DECIMAL_DIGITS=17 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=8 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=note DATA_TYPE=12 TYPE_NAME=text COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=9 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=active DATA_TYPE=-7 TYPE_NAME=bool COLUMN_SIZE=1 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=0 COLUMN_DEF=true ORDINAL_POSITION=10 IS_NULLABLE=NO IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=born DATA_TYPE=91 TYPE_NAME=date COLUMN_SIZE=13 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=11 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=at DATA_TYPE=92 TYPE_NAME=time COLUMN_SIZE=15 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=12 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=ts DATA_TYPE=93 TYPE_NAME=timestamp COLUMN_SIZE=29 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=13 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=tstz DATA_TYPE=93 TYPE_NAME=timestamptz COLUMN_SIZE=35 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=14 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=span DATA_TYPE=1111 TYPE_NAME=interval COLUMN_SIZE=49 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=15 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=uid DATA_TYPE=1111 TYPE_NAME=uuid COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=16 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=data DATA_TYPE=-2 TYPE_NAME=bytea COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=17 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=doc DATA_TYPE=1111 TYPE_NAME=jsonb COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=18 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=items COLUMN_NAME=tags DATA_TYPE=2003 TYPE_NAME=_int4 COLUMN_SIZE=10 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=19 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column TABLE_NAME=pairs COLUMN_NAME=a DATA_TYPE=4 TYPE_NAME=int4 COLUMN_SIZE=10 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=0 COLUMN_DEF=null ORDINAL_POSITION=1 IS_NULLABLE=NO IS_AUTOINCREMENT=NO
column TABLE_NAME=pairs COLUMN_NAME=b DATA_TYPE=12 TYPE_NAME=text COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=0 COLUMN_DEF=null ORDINAL_POSITION=2 IS_NULLABLE=NO IS_AUTOINCREMENT=NO
column TABLE_NAME=pairs COLUMN_NAME=v DATA_TYPE=-5 TYPE_NAME=int8 COLUMN_SIZE=19 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=0 COLUMN_DEF=null ORDINAL_POSITION=3 IS_NULLABLE=NO IS_AUTOINCREMENT=NO
column c_t% TABLE_NAME=vals COLUMN_NAME=c_text DATA_TYPE=12 TYPE_NAME=text COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=8 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column c_t% TABLE_NAME=vals COLUMN_NAME=c_time DATA_TYPE=92 TYPE_NAME=time COLUMN_SIZE=15 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=12 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column c_t% TABLE_NAME=vals COLUMN_NAME=c_ts DATA_TYPE=93 TYPE_NAME=timestamp COLUMN_SIZE=29 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=13 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
column c_t% TABLE_NAME=vals COLUMN_NAME=c_tstz DATA_TYPE=93 TYPE_NAME=timestamptz COLUMN_SIZE=35 DECIMAL_DIGITS=6 NUM_PREC_RADIX=10 NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=14 IS_NULLABLE=YES IS_AUTOINCREMENT=NO
== getPrimaryKeys
pk TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=items COLUMN_NAME=id KEY_SEQ=1 PK_NAME=items_pkey
pk TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=pairs COLUMN_NAME=a KEY_SEQ=1 PK_NAME=pairs_pkey
pk TABLE_CAT=null TABLE_SCHEM=jdbc_s TABLE_NAME=pairs COLUMN_NAME=b KEY_SEQ=2 PK_NAME=pairs_pkey
== getIndexInfo
index TABLE_SCHEM=jdbc_s TABLE_NAME=items NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=items_pkey TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=id ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=pairs NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=pairs_pkey TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=a ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=pairs NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=pairs_pkey TYPE=3 ORDINAL_POSITION=2 COLUMN_NAME=b ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_handle_key TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=handle ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_item_iban_idx TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=item ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_item_iban_idx TYPE=3 ORDINAL_POSITION=2 COLUMN_NAME=iban ASC_OR_DESC=D FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_pkey TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=id ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=t INDEX_QUALIFIER=null INDEX_NAME=accounts_opened_idx TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=opened ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=t INDEX_QUALIFIER=null INDEX_NAME=accounts_opened_idx TYPE=3 ORDINAL_POSITION=2 COLUMN_NAME=iban ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=t INDEX_QUALIFIER=null INDEX_NAME=accounts_opened_idx TYPE=3 ORDINAL_POSITION=3 COLUMN_NAME=handle ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=t INDEX_QUALIFIER=null INDEX_NAME=accounts_region_opened_idx TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=region ASC_OR_DESC=A FILTER_CONDITION=null
index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=t INDEX_QUALIFIER=null INDEX_NAME=accounts_region_opened_idx TYPE=3 ORDINAL_POSITION=2 COLUMN_NAME=opened ASC_OR_DESC=D FILTER_CONDITION=null
unique index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_handle_key TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=handle ASC_OR_DESC=A FILTER_CONDITION=null
unique index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_item_iban_idx TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=item ASC_OR_DESC=A FILTER_CONDITION=null
unique index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_item_iban_idx TYPE=3 ORDINAL_POSITION=2 COLUMN_NAME=iban ASC_OR_DESC=D FILTER_CONDITION=null
unique index TABLE_SCHEM=jdbc_s TABLE_NAME=accounts NON_UNIQUE=f INDEX_QUALIFIER=null INDEX_NAME=accounts_pkey TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=id ASC_OR_DESC=A FILTER_CONDITION=null
== getImportedKeys
imported PKTABLE_CAT=null PKTABLE_SCHEM=jdbc_s PKTABLE_NAME=items PKCOLUMN_NAME=id FKTABLE_SCHEM=jdbc_s FKTABLE_NAME=lines FKCOLUMN_NAME=item KEY_SEQ=1 UPDATE_RULE=3 DELETE_RULE=0 FK_NAME=lines_item_fkey PK_NAME=items_pkey DEFERRABILITY=7
imported PKTABLE_CAT=null PKTABLE_SCHEM=jdbc_s PKTABLE_NAME=pairs PKCOLUMN_NAME=a FKTABLE_SCHEM=jdbc_s FKTABLE_NAME=lines FKCOLUMN_NAME=a KEY_SEQ=1 UPDATE_RULE=0 DELETE_RULE=3 FK_NAME=lines_a_b_fkey PK_NAME=pairs_pkey DEFERRABILITY=7
imported PKTABLE_CAT=null PKTABLE_SCHEM=jdbc_s PKTABLE_NAME=pairs PKCOLUMN_NAME=b FKTABLE_SCHEM=jdbc_s FKTABLE_NAME=lines FKCOLUMN_NAME=b KEY_SEQ=2 UPDATE_RULE=0 DELETE_RULE=3 FK_NAME=lines_a_b_fkey PK_NAME=pairs_pkey DEFERRABILITY=7
exported PKTABLE_CAT=null PKTABLE_SCHEM=jdbc_s PKTABLE_NAME=pairs PKCOLUMN_NAME=a FKTABLE_SCHEM=jdbc_s FKTABLE_NAME=lines FKCOLUMN_NAME=a KEY_SEQ=1 UPDATE_RULE=0 DELETE_RULE=3 FK_NAME=lines_a_b_fkey PK_NAME=pairs_pkey DEFERRABILITY=7
exported PKTABLE_CAT=null PKTABLE_SCHEM=jdbc_s PKTABLE_NAME=pairs PKCOLUMN_NAME=b FKTABLE_SCHEM=jdbc_s FKTABLE_NAME=lines FKCOLUMN_NAME=b KEY_SEQ=2 UPDATE_RULE=0 DELETE_RULE=3 FK_NAME=lines_a_b_fkey PK_NAME=pairs_pkey DEFERRABILITY=7
imported by pairs: no rows
imported by accounts PKTABLE_CAT=null PKTABLE_SCHEM=jdbc_s PKTABLE_NAME=items PKCOLUMN_NAME=id FKTABLE_SCHEM=jdbc_s FKTABLE_NAME=accounts FKCOLUMN_NAME=item KEY_SEQ=1 UPDATE_RULE=3 DELETE_RULE=3 FK_NAME=accounts_item_fkey PK_NAME=items_pkey DEFERRABILITY=7
== getTypeInfo
type TYPE_NAME=_int4 DATA_TYPE=2003 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=f FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=bool DATA_TYPE=-7 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=bpchar DATA_TYPE=1 PRECISION=10485760 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=t SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=bytea DATA_TYPE=-2 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=t SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=date DATA_TYPE=91 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=float8 DATA_TYPE=8 PRECISION=0 LITERAL_PREFIX=null LITERAL_SUFFIX=null NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=f FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=int2 DATA_TYPE=5 PRECISION=0 LITERAL_PREFIX=null LITERAL_SUFFIX=null NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=f FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=int4 DATA_TYPE=4 PRECISION=0 LITERAL_PREFIX=null LITERAL_SUFFIX=null NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=f FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=int8 DATA_TYPE=-5 PRECISION=0 LITERAL_PREFIX=null LITERAL_SUFFIX=null NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=f FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=jsonb DATA_TYPE=1111 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=t SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=numeric DATA_TYPE=2 PRECISION=1000 LITERAL_PREFIX=null LITERAL_SUFFIX=null NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=f FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=text DATA_TYPE=12 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=t SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=timestamptz DATA_TYPE=93 PRECISION=6 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=f SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=uuid DATA_TYPE=1111 PRECISION=0 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=t SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
type TYPE_NAME=varchar DATA_TYPE=12 PRECISION=10485760 LITERAL_PREFIX=' LITERAL_SUFFIX=' NULLABLE=1 CASE_SENSITIVE=t SEARCHABLE=3 UNSIGNED_ATTRIBUTE=t FIXED_PREC_SCALE=f AUTO_INCREMENT=f NUM_PREC_RADIX=10
more types than shown: true
== prepared
insert 1: 1
insert 2: 1
insert 3: 1
insert 4: 1
insert 5: 1
insert 6: 1
insert 7: 1
insert 8: 1
insert 9: 1
insert 10: 1
typed 1: [1, 11, 100000, 10000000000, 1.125, 1.25, 0.125, text 1, vc'1, true, 2024-01-01, 01:30:15.250, 2024-02-03T01:04:05.000600, 2024-03-04T03:06:01Z, 00000000-0000-4000-8000-000000000000, 0100ff5c]
text  1: [Integer:1, Integer:11, Integer:100000, Long:10000000000, BigDecimal:1.125, Float:1.25, Double:0.125, String:text 1, String:vc'1, Boolean:t, Date:2024-01-01, Time:01:30:15.25, Timestamp:2024-02-03 01:04:05.0006, Timestamp:2024-03-04 03:06:01+00, UUID:00000000-0000-4000-8000-000000000000, byte[]:0100ff5c]
typed 2: [2, 22, 200000, 20000000000, 2.125, 2.25, 0.25, text 2, vc'2, false, 2024-01-02, 02:30:15.250, 2024-02-03T02:04:05.000600, 2024-03-04T03:06:02Z, 00000000-0000-4000-8000-000000000001, 0200ff5c]
text  2: [Integer:2, Integer:22, Integer:200000, Long:20000000000, BigDecimal:2.125, Float:2.25, Double:0.25, String:text 2, String:vc'2, Boolean:f, Date:2024-01-02, Time:02:30:15.25, Timestamp:2024-02-03 02:04:05.0006, Timestamp:2024-03-04 03:06:02+00, UUID:00000000-0000-4000-8000-000000000001, byte[]:0200ff5c]
typed 3: [3, 33, 300000, 30000000000, 3.125, 3.25, 0.375, text 3, vc'3, true, 2024-01-03, 03:30:15.250, 2024-02-03T03:04:05.000600, 2024-03-04T03:06:03Z, 00000000-0000-4000-8000-000000000002, 0300ff5c]
text  3: [Integer:3, Integer:33, Integer:300000, Long:30000000000, BigDecimal:3.125, Float:3.25, Double:0.375, String:text 3, String:vc'3, Boolean:t, Date:2024-01-03, Time:03:30:15.25, Timestamp:2024-02-03 03:04:05.0006, Timestamp:2024-03-04 03:06:03+00, UUID:00000000-0000-4000-8000-000000000002, byte[]:0300ff5c]
typed 4: [4, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]
text  4: [Integer:4, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]
typed 5: [5, 55, 500000, 50000000000, 5.125, 5.25, 0.625, text 5, vc'5, true, 2024-01-05, 05:30:15.250, 2024-02-03T05:04:05.000600, 2024-03-04T03:06:05Z, 00000000-0000-4000-8000-000000000004, 0500ff5c]
text  5: [Integer:5, Integer:55, Integer:500000, Long:50000000000, BigDecimal:5.125, Float:5.25, Double:0.625, String:text 5, String:vc'5, Boolean:t, Date:2024-01-05, Time:05:30:15.25, Timestamp:2024-02-03 05:04:05.0006, Timestamp:2024-03-04 03:06:05+00, UUID:00000000-0000-4000-8000-000000000004, byte[]:0500ff5c]
typed 6: [6, 66, 600000, 60000000000, 6.125, 6.25, 0.75, text 6, vc'6, false, 2024-01-06, 06:30:15.250, 2024-02-03T06:04:05.000600, 2024-03-04T03:06:06Z, 00000000-0000-4000-8000-000000000005, 0600ff5c]
text  6: [Integer:6, Integer:66, Integer:600000, Long:60000000000, BigDecimal:6.125, Float:6.25, Double:0.75, String:text 6, String:vc'6, Boolean:f, Date:2024-01-06, Time:06:30:15.25, Timestamp:2024-02-03 06:04:05.0006, Timestamp:2024-03-04 03:06:06+00, UUID:00000000-0000-4000-8000-000000000005, byte[]:0600ff5c]
typed 7: [7, 77, 700000, 70000000000, 7.125, 7.25, 0.875, text 7, vc'7, true, 2024-01-07, 07:30:15.250, 2024-02-03T07:04:05.000600, 2024-03-04T03:06:07Z, 00000000-0000-4000-8000-000000000006, 0700ff5c]
text  7: [Integer:7, Integer:77, Integer:700000, Long:70000000000, BigDecimal:7.125, Float:7.25, Double:0.875, String:text 7, String:vc'7, Boolean:t, Date:2024-01-07, Time:07:30:15.25, Timestamp:2024-02-03 07:04:05.0006, Timestamp:2024-03-04 03:06:07+00, UUID:00000000-0000-4000-8000-000000000006, byte[]:0700ff5c]
typed 8: [8, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]
text  8: [Integer:8, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]
typed 9: [9, 99, 900000, 90000000000, 9.125, 9.25, 1.125, text 9, vc'9, true, 2024-01-09, 09:30:15.250, 2024-02-03T09:04:05.000600, 2024-03-04T03:06:09Z, 00000000-0000-4000-8000-000000000008, 0900ff5c]
text  9: [Integer:9, Integer:99, Integer:900000, Long:90000000000, BigDecimal:9.125, Float:9.25, Double:1.125, String:text 9, String:vc'9, Boolean:t, Date:2024-01-09, Time:09:30:15.25, Timestamp:2024-02-03 09:04:05.0006, Timestamp:2024-03-04 03:06:09+00, UUID:00000000-0000-4000-8000-000000000008, byte[]:0900ff5c]
typed 10: [10, 110, 1000000, 100000000000, 10.125, 10.25, 1.25, text 10, vc'10, false, 2024-01-10, 10:30:15.250, 2024-02-03T10:04:05.000600, 2024-03-04T03:06:10Z, 00000000-0000-4000-8000-000000000009, 0a00ff5c]
text  10: [Integer:10, Integer:110, Integer:1000000, Long:100000000000, BigDecimal:10.125, Float:10.25, Double:1.25, String:text 10, String:vc'10, Boolean:f, Date:2024-01-10, Time:10:30:15.25, Timestamp:2024-02-03 10:04:05.0006, Timestamp:2024-03-04 03:06:10+00, UUID:00000000-0000-4000-8000-000000000009, byte[]:0a00ff5c]
aggregate 0: 8 430000000000 10.125
aggregate 1: 7 420000000000 10.125
aggregate 2: 5 370000000000 10.125
aggregate 3: 6 390000000000 10.125
aggregate 4: 3 260000000000 10.125
aggregate 5: 3 210000000000 10.125
aggregate 6: 1 100000000000 10.125
aggregate 7: 1 20000000000 2.125
== batch
prepared batch: [1, 1, 1, 1]
statement batch: [1, 2, 0]
pairs a=1 b=b1 v=8
pairs a=2 b=b2 v=15
pairs a=3 b=b3 v=21
pairs a=4 b=b4 v=28
pairs a=5 b=b5 v=35
== transactions
committed 10
inside n=6
rolled back 11 and the delete
pairs a=1 b=b1 v=0
pairs a=2 b=b2 v=15
pairs a=3 b=b3 v=21
pairs a=4 b=b4 v=28
pairs a=5 b=b5 v=35
pairs a=10 b=tx v=100
autocommit true
== ResultSetMetaData
rsmd 1 label=id name=id type=4 typeName=int4 class=java.lang.Integer schema= table=items nullable=0 autoIncrement=false precision=10 scale=0 displaySize=11
rsmd 2 label=label name=label type=12 typeName=varchar class=java.lang.String schema= table=items nullable=0 autoIncrement=false precision=40 scale=0 displaySize=40
rsmd 3 label=code name=code type=1 typeName=bpchar class=java.lang.String schema= table=items nullable=1 autoIncrement=false precision=3 scale=0 displaySize=3
rsmd 4 label=price name=price type=2 typeName=numeric class=java.math.BigDecimal schema= table=items nullable=1 autoIncrement=false precision=10 scale=2 displaySize=12
rsmd 5 label=qty name=qty type=5 typeName=int2 class=java.lang.Integer schema= table=items nullable=1 autoIncrement=false precision=5 scale=0 displaySize=6
rsmd 6 label=big name=big type=-5 typeName=int8 class=java.lang.Long schema= table=items nullable=1 autoIncrement=false precision=19 scale=0 displaySize=20
rsmd 7 label=ratio name=ratio type=7 typeName=float4 class=java.lang.Float schema= table=items nullable=1 autoIncrement=false precision=8 scale=8 displaySize=15
rsmd 8 label=score name=score type=8 typeName=float8 class=java.lang.Double schema= table=items nullable=1 autoIncrement=false precision=17 scale=17 displaySize=25
rsmd 9 label=note name=note type=12 typeName=text class=java.lang.String schema= table=items nullable=1 autoIncrement=false precision=2147483647 scale=0 displaySize=2147483647
rsmd 10 label=active name=active type=-7 typeName=bool class=java.lang.Boolean schema= table=items nullable=0 autoIncrement=false precision=1 scale=0 displaySize=1
rsmd 11 label=born name=born type=91 typeName=date class=java.sql.Date schema= table=items nullable=1 autoIncrement=false precision=13 scale=0 displaySize=13
rsmd 12 label=at name=at type=92 typeName=time class=java.sql.Time schema= table=items nullable=1 autoIncrement=false precision=15 scale=6 displaySize=15
rsmd 13 label=ts name=ts type=93 typeName=timestamp class=java.sql.Timestamp schema= table=items nullable=1 autoIncrement=false precision=29 scale=6 displaySize=29
rsmd 14 label=tstz name=tstz type=93 typeName=timestamptz class=java.sql.Timestamp schema= table=items nullable=1 autoIncrement=false precision=35 scale=6 displaySize=35
rsmd 15 label=span name=span type=1111 typeName=interval class=org.postgresql.util.PGInterval schema= table=items nullable=1 autoIncrement=false precision=49 scale=6 displaySize=49
rsmd 16 label=uid name=uid type=1111 typeName=uuid class=java.util.UUID schema= table=items nullable=1 autoIncrement=false precision=2147483647 scale=0 displaySize=2147483647
rsmd 17 label=data name=data type=-2 typeName=bytea class=[B schema= table=items nullable=1 autoIncrement=false precision=2147483647 scale=0 displaySize=2147483647
rsmd 18 label=doc name=doc type=1111 typeName=jsonb class=java.lang.String schema= table=items nullable=1 autoIncrement=false precision=2147483647 scale=0 displaySize=2147483647
rsmd 19 label=tags name=tags type=2003 typeName=_int4 class=java.sql.Array schema= table=items nullable=1 autoIncrement=false precision=10 scale=0 displaySize=11
rsmd 20 label=doubled name=doubled type=2 typeName=numeric class=java.math.BigDecimal schema= table= nullable=2 autoIncrement=false precision=0 scale=0 displaySize=131089
rsmd 21 label=lit name=lit type=12 typeName=text class=java.lang.String schema= table= nullable=2 autoIncrement=false precision=2147483647 scale=0 displaySize=2147483647
done
";

/// Whether a JDK is installed: `java File.java` (source-launcher mode, JDK 11 or later)
/// compiles with the JDK's compiler, which a bare JRE lacks.
async fn jdk_installed() -> bool {
    let probe = Command::new("javac").arg("-version").output().await;
    matches!(probe, Ok(out) if out.status.success())
}

#[tokio::test]
async fn a_jdbc_session() {
    if !jdk_installed().await {
        eprintln!("skipped: no JDK (apt-get install default-jdk-headless)");
        return;
    }
    if !Path::new(DRIVER_JAR).exists() {
        eprintln!("skipped: {DRIVER_JAR} is missing (apt-get install libpostgresql-jdbc-java)");
        return;
    }
    let server = TestServer::start().await;
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("java")
        .join("JdbcClient.java");
    let output = within(
        Command::new("java")
            .arg("-cp")
            .arg(DRIVER_JAR)
            .arg(&source)
            .arg("127.0.0.1")
            .arg(server.port().to_string())
            .arg(server.dbname())
            .output(),
        "JdbcClient.java",
    )
    .await
    .expect("run java");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A failing section prints its error in stdout and the rest still runs, so the diff
    // shows every failure at once.
    assert_eq!(
        stdout,
        EXPECTED,
        "{}\n{stderr}\n{}",
        output.status,
        server.log()
    );
    assert!(output.status.success(), "{}\n{stderr}", output.status);
}
