//! End-to-end tests of issues 2 and 3: the real `shale` binary over TCP, driven by
//! tokio-postgres, a raw protocol client, `psql`, psycopg and sqlx. One module per feature;
//! the harness is the `shale_tests` library (tests/src). Every expected value here is
//! PostgreSQL 15's own behaviour: the suite passes against it with `SHALE_TEST_PG_PORT=5432`.

mod acceptance;
mod arrays;
mod bi_tools;
mod cancel;
mod catalogs;
mod character;
mod correctness;
mod cli;
mod connect;
mod deep_statements;
mod dml;
mod durability;
mod errors;
mod extended;
mod foreign_keys;
mod indexes;
mod infinity;
mod isolation;
mod jdbc;
mod lazy_catalog;
mod limits;
mod malformed;
mod numeric;
mod odbc;
mod output_format;
mod pipeline;
mod postgres_errors;
mod prepared;
mod psql;
mod protocol;
mod psycopg;
mod psycopg_types;
mod pushdown;
mod queries;
mod schema_ddl;
mod sequences;
mod sqlalchemy;
mod simple_protocol;
mod sqlx_macros;
mod sqlx_types;
mod table_ddl;
mod tpcb;
mod upsert;
mod transactions;
