-- DBeaver (PostgreSQL driver, through PgJDBC): connect, open the navigator on database, schema
-- `bi` and table `bi.items`. Sources: dbeaver/dbeaver
-- plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/*.java;
-- order and PgJDBC's part as captured from DBeaver 25.1.5 in
-- datafusion-contrib/datafusion-postgres datafusion-postgres/tests/dbeaver.rs.
-- JDBC `?` parameters are filled in (DBeaver sends them through the extended protocol).

-- PgJDBC sends extra_float_digits=3 in the StartupMessage; DBeaver's
-- PostgreDataSource.openConnection then calls setClientInfo("ApplicationName", ...), which
-- PgJDBC sends as SET application_name.
-- expect: ok
SET application_name = 'DBeaver 25.1.5 - Main <postgres>'
-- next
-- PostgreExecutionContext.refreshDefaults
-- expect: values public | postgres
SELECT current_schema(),session_user
-- next
-- PostgreDatabase.SchemaCache.prepareLookupStatement (no schema filter)
-- expect: values bi | public | pg_catalog | information_schema
SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
 ORDER BY nspname
-- next
-- PgJDBC TypeInfoCache (pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/TypeInfoCache.java),
-- resolving OID 1034 (aclitem[], the type of pg_namespace.nspacl) read by the query above.
-- expect: values pg_catalog | _aclitem
SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = 1034
-- next
-- expect: values _aclitem
SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid   FROM pg_catalog.pg_type   LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r           from pg_namespace as ns           join ( select s.r, (current_schemas(false))[s.r] as nspname                    from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r          using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  WHERE pg_type.oid = 1034  ORDER BY sp.r, pg_type.oid DESC
-- next
-- PostgreExecutionContext.refreshDefaults
-- expect: rows
SHOW search_path
-- next
-- PostgreDatabase.readDatabaseInfo
-- expect: values ${database}
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname='${database}'
-- next
-- PostgreDataSource.SettingCache (preloads standard_conforming_strings)
-- expect: values standard_conforming_strings | on
select * from pg_catalog.pg_settings where name='standard_conforming_strings'
-- next
-- PostgreDataSource.initialize
-- expect: rows
SELECT version()
-- next
-- PostgreDataSource: probes for pg_enum and pg_class.reltype (isSupportsEnumTable,
-- supportsReltypeColumn); only success matters.
-- expect: no rows
SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1
-- next
-- expect: no rows
SELECT reltype FROM pg_catalog.pg_class WHERE 1<>1 LIMIT 1
-- next
-- PostgreDataTypeCache.prepareObjectsStatement (all types at once in DBeaver 25)
-- expect: values int4 | varchar | numeric | bool | date | text
SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description
FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem 
LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid
WHERE t.typname IS NOT NULL
AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')
-- next
-- PostgreDataTypeCache.resolveDataType (by OID, for a type not cached yet; 25 = text)
-- expect: values text
SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_class c ON c.oid=t.typrelid
WHERE t.oid=25 
-- next
-- PostgreDatabase.RoleCache
-- expect: values postgres
SELECT a.oid,a.*,pd.description FROM pg_catalog.pg_roles a 
left join pg_catalog.pg_shdescription pd on a.oid = pd.objoid
ORDER BY a.rolname
-- next
-- PostgreDatabase.AccessMethodCache
-- expect: values btree | heap
SELECT am.oid,am.* FROM pg_catalog.pg_am am 
ORDER BY am.oid
-- next
-- PostgreSchema.readSchemaInfo
-- expect: values ${schema_oid}
SELECT s.oid as schema_id
from pg_catalog.pg_namespace s
WHERE s.nspname ='bi'
-- next
-- PostgreSchema.TableCache.prepareLookupStatement (server >= 10): the tables of schema `bi`
-- expect: values items | order_lines
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=${schema_oid} AND c.relkind not in ('i','I','c')
-- next
-- PostgreSchema.TableCache.prepareChildrenStatement for one table (columns of bi.items)
-- expect: values id | name | price | added | active | 0 | true
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid=${table_oid}
ORDER BY a.attnum
-- next
-- The same for the whole schema (cacheStructure with STRUCT_ATTRIBUTES)
-- expect: values id | name | order_id | line | qty
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.relnamespace=${schema_oid}
ORDER BY a.attnum
-- next
-- PostgreSchema.ConstraintCache (schema `bi`): the two primary keys
-- expect: values items_pkey | order_lines_pkey | p
SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.contype='c' then "substring"(pg_get_constraintdef(c.oid), 7) else null end consrc_copy
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass
WHERE t.relnamespace=${schema_oid}
ORDER BY c.oid
-- next
-- PostgreSchema.IndexCache for table bi.items
-- expect: values items_pkey | items
SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr,pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans
FROM pg_catalog.pg_index i
INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid
INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid
LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid
WHERE  i.indrelid=${table_oid} ORDER BY c.relname
-- next
-- PostgreSchema.collectObjectStatistics (table sizes in the navigator)
-- expect: values ${table_oid}
select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size
FROM pg_class c
WHERE c.relnamespace=${schema_oid}
