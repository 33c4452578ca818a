-- psql 15's tab completion: every query psql 15.18 sent to PostgreSQL 15 while completing
-- table, column, schema, function, type, index, database, role and setting names, captured
-- from PostgreSQL's statement log with psql under a terminal (/work/notes/psql-queries.sql,
-- part 2). Source: postgres/postgres src/bin/psql/tab-complete.c (REL_15_STABLE): the query
-- names below are its SchemaQuery / Query_for_* definitions. psql fills the typed prefix in
-- where the source has %s (`LIKE 'prefix%'`, `_` escaped as `\_`), and a second Tab after a
-- unique completion re-queries with the completed word (or with '%' for the next word). The
-- object names are those of the test schema: completing `it` finds bi.items, `bi.` the
-- tables of schema bi, `UPDATE items SET pr` the columns of bi.items. Every query is sent
-- through the simple query protocol, as psql does.
--
-- Not a completion query: the session's search_path, set first so that the tables of
-- schema bi are visible (pg_table_is_visible) to the unqualified completions below, as
-- for a user whose tables live in bi.
-- expect: ok
SET search_path = bi, public
-- next
-- Query_for_list_of_selectables (table names after FROM): typed [SELECT * FROM it] + Tab,
-- also [SELECT * FROM "it] + Tab
-- expect: values items
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_selectables, schema-qualified: typed [SELECT * FROM bi.o] + Tab
-- expect: values order_lines | bi
SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'o%' AND n.nspname = 'bi'
LIMIT 1000;
-- next
-- Query_for_list_of_relations (\d takes any relation, indexes too): typed [\d it] + Tab
-- expect: values items | items_pkey
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE (c.relname) LIKE 'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_relations: [\d it] + Tab + Tab (re-query with the completed word)
-- expect: values items | items_pkey
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE (c.relname) LIKE 'items%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'items%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_tables: typed [\dt or] + Tab, also [DROP TABLE or] + Tab
-- expect: values order_lines
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p') AND (c.relname) LIKE 'or%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'or%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_schemas: typed [DROP SCHEMA b] + Tab, also [\dn b] + Tab
-- expect: values bi
SELECT nspname FROM pg_catalog.pg_namespace  WHERE nspname LIKE 'b%'
LIMIT 1000;
-- next
-- Query_for_list_of_attributes (COMPLETE_WITH_ATTR): typed [UPDATE items SET pr] + Tab
-- expect: values price
SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'pr%' AND c.relname = 'items' AND pg_catalog.pg_table_is_visible(c.oid)
LIMIT 1000;
-- next
-- Query_for_list_of_attributes: typed [INSERT INTO items (na] + Tab
-- expect: values name
SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'na%' AND c.relname = 'items' AND pg_catalog.pg_table_is_visible(c.oid)
LIMIT 1000;
-- next
-- Query_for_list_of_attributes: typed [SELECT * FROM items WHERE ac] + Tab
-- expect: values active
SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'ac%' AND c.relname = 'items' AND pg_catalog.pg_table_is_visible(c.oid)
LIMIT 1000;
-- next
-- Query_for_list_of_attributes, schema-qualified table (refnamespace):
-- typed [ALTER TABLE bi.order_lines ALTER COLUMN q] + Tab
-- expect: values qty
SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c, pg_catalog.pg_namespace nr WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'q%' AND c.relname = 'order_lines' AND c.relnamespace = nr.oid AND nr.nspname = 'bi'
LIMIT 1000;
-- next
-- Query_for_list_of_functions: typed [\df current_d] + Tab
-- expect: values current_database
SELECT p.proname, NULL::pg_catalog.text FROM pg_catalog.pg_proc p WHERE p.prokind != 'p' AND (p.proname) LIKE 'current\_d%' AND pg_catalog.pg_function_is_visible(p.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'current\_d%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_datatypes (\df's next word: an argument type): [\df current_d] + Tab
-- + Tab, after the completion to `current_database `; also after [\df pg_catalog.current_d]
-- expect: values bool | date | int2 | int4 | int8 | numeric | text | varchar | bi | public
SELECT t.typname, NULL::pg_catalog.text FROM pg_catalog.pg_type t WHERE (t.typrelid = 0  OR (SELECT c.relkind = 'c'     FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND t.typname !~ '^_' AND (t.typname) LIKE '%' AND pg_catalog.pg_type_is_visible(t.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_functions (a prefix starting with pg_ keeps the pg_* schemas):
-- typed [DROP FUNCTION pg_backend] + Tab
-- expect: values pg_backend_pid
SELECT p.proname, NULL::pg_catalog.text FROM pg_catalog.pg_proc p WHERE p.prokind != 'p' AND (p.proname) LIKE 'pg\_backend%' AND pg_catalog.pg_function_is_visible(p.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'pg\_backend%'
LIMIT 1000;
-- next
-- Query_for_list_of_datatypes: typed [\dT int] + Tab
-- expect: values int2 | int4 | int8
SELECT t.typname, NULL::pg_catalog.text FROM pg_catalog.pg_type t WHERE (t.typrelid = 0  OR (SELECT c.relkind = 'c'     FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND t.typname !~ '^_' AND (t.typname) LIKE 'int%' AND pg_catalog.pg_type_is_visible(t.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'int%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_datatypes: typed [ALTER TABLE items ALTER COLUMN name TYPE var] + Tab
-- (PostgreSQL also offers varbit, a type Shale does not have)
-- expect: values varchar
SELECT t.typname, NULL::pg_catalog.text FROM pg_catalog.pg_type t WHERE (t.typrelid = 0  OR (SELECT c.relkind = 'c'     FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND t.typname !~ '^_' AND (t.typname) LIKE 'var%' AND pg_catalog.pg_type_is_visible(t.oid)
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'var%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_indexes: typed [\di it] + Tab (the primary key's index)
-- expect: values items_pkey
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('i', 'I') AND (c.relname) LIKE 'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_updatables: typed [INSERT INTO it] + Tab, also [UPDATE it] + Tab
-- expect: values items
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'f', 'v', 'p') AND (c.relname) LIKE 'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_databases: typed [\c <the test database's name>] + Tab (psql escapes
-- each `_` of the prefix as `\_`; unescaped, `_` still matches itself)
-- expect: values ${database}
SELECT datname FROM pg_catalog.pg_database  WHERE datname LIKE '${database}%'
LIMIT 1000;
-- next
-- Query_for_list_of_roles (\c's next word: a user name): [\c <database>] + Tab + Tab
-- expect: values postgres
 SELECT rolname    FROM pg_catalog.pg_roles   WHERE rolname LIKE '%'
LIMIT 1000;
-- next
-- Query_for_list_of_roles: typed [\du post] + Tab
-- expect: values postgres
 SELECT rolname    FROM pg_catalog.pg_roles   WHERE rolname LIKE 'post%'
LIMIT 1000;
-- next
-- Query_for_list_of_set_vars: typed [SET search_p] + Tab
-- expect: values search_path
SELECT pg_catalog.lower(name) FROM pg_catalog.pg_settings  WHERE context IN ('user', 'superuser')    AND pg_catalog.lower(name) LIKE pg_catalog.lower('search\_p%')
LIMIT 1000;
-- next
-- Query_for_list_of_show_vars: typed [SHOW time] + Tab (PostgreSQL also offers
-- timezone_abbreviations, a setting Shale does not have)
-- expect: values timezone
SELECT pg_catalog.lower(name) FROM pg_catalog.pg_settings  WHERE pg_catalog.lower(name) LIKE pg_catalog.lower('time%')
LIMIT 1000;
-- next
-- Query_for_list_of_show_vars: [SHOW time] + Tab + Tab (re-query with `timezone`)
-- expect: values timezone
SELECT pg_catalog.lower(name) FROM pg_catalog.pg_settings  WHERE pg_catalog.lower(name) LIKE pg_catalog.lower('timezone%')
LIMIT 1000;
-- next
-- Query_for_list_of_tables: typed [ALTER TABLE it] + Tab
-- expect: values items
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p') AND (c.relname) LIKE 'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_relations, schema-qualified: typed [\d bi.] + Tab
-- expect: values items | order_lines | items_pkey | order_lines_pkey | bi
SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n WHERE c.relnamespace = n.oid AND (c.relname) LIKE '%' AND n.nspname = 'bi'
LIMIT 1000;
-- next
-- Query_for_list_of_functions, schema-qualified: typed [\df pg_catalog.current_d] + Tab
-- expect: values current_database | pg_catalog
SELECT p.proname, n.nspname FROM pg_catalog.pg_proc p, pg_catalog.pg_namespace n WHERE p.pronamespace = n.oid AND p.prokind != 'p' AND (p.proname) LIKE 'current\_d%' AND n.nspname = 'pg_catalog'
LIMIT 1000;
-- next
-- Query_for_list_of_datatypes, schema-qualified: typed [\dT pg_catalog.int] + Tab
-- expect: values int2 | int4 | int8 | pg_catalog
SELECT t.typname, n.nspname FROM pg_catalog.pg_type t, pg_catalog.pg_namespace n WHERE t.typnamespace = n.oid AND (t.typrelid = 0  OR (SELECT c.relkind = 'c'     FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND t.typname !~ '^_' AND (t.typname) LIKE 'int%' AND n.nspname = 'pg_catalog'
LIMIT 1000;
-- next
-- Query_for_list_of_attributes, schema-qualified table (refnamespace):
-- typed [SELECT * FROM bi.order_lines WHERE li] + Tab
-- expect: values line
SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c, pg_catalog.pg_namespace nr WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'li%' AND c.relname = 'order_lines' AND c.relnamespace = nr.oid AND nr.nspname = 'bi'
LIMIT 1000;
-- next
-- Query_for_list_of_analyzables: typed [ANALYZE it] + Tab
-- expect: values items
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p', 'm', 'f') AND (c.relname) LIKE 'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
-- next
-- Query_for_list_of_analyzables (ANALYZE takes a list; the next word): [ANALYZE it] + Tab
-- + Tab, after the completion to `items `
-- expect: values items | order_lines | bi | public
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p', 'm', 'f') AND (c.relname) LIKE '%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
