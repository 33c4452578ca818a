-- Grafana's PostgreSQL data source: the data source settings page (version and TimescaleDB
-- detection) and the query editor's schema, table and column pickers and code completion.
-- Source: grafana/grafana
-- public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts (the SQL),
-- datasource.ts (getVersion, getTimescaleDBVersion, fetchTables, fetchFields) and
-- configuration/useAutoDetectFeatures.ts (when the version queries run). The backend
-- (pkg/tsdb/grafana-postgresql-datasource) runs these through the simple query protocol of
-- its Go driver; its "Save & test" health check is a driver ping, which sends no catalog SQL.

-- getVersion (settings page: auto-detects the PostgreSQL version)
-- expect: values 1500
SELECT current_setting('server_version_num')::int/100 as version
-- next
-- getTimescaleDBVersion (settings page): no TimescaleDB here
-- expect: no rows
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'
-- next
-- showSchemas (query builder: dataset / schema picker)
-- expect: values bi | public
SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name
-- next
-- showTables('bi') (table picker after choosing schema bi)
-- expect: values items | order_lines
SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'bi'
      ORDER BY 1
-- next
-- showTables() (table picker and code completion without a schema: tables outside the
-- search_path come schema-qualified)
-- expect: values bi.items | bi.order_lines
SELECT
    CASE WHEN 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          ) THEN 0 ELSE 1 END, 1
-- next
-- getSchema('bi.items') (column picker and completion for table bi.items)
-- expect: values id | name | price | added | active | integer | character varying | numeric | date | boolean
SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('bi.items'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('bi.items'))[1]
          AND quote_ident(table_name) = (parse_ident('bi.items'))[2]
        ELSE quote_ident(table_name) = 'bi.items'
          AND 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      END
-- next
-- A query the builder writes for table bi.items (SELECT of two columns with a LIMIT)
-- expect: values pen | ink
SELECT id, name FROM bi.items LIMIT 50 
