-- psql's describe commands over a small schema (issue 5, point 3): \d, \d table, \d+ table,
-- \dt, \dt schema.*, \dn, \di, \dT, \df, \du; then \x and \timing toggles; then secondary
-- indexes and UNIQUE constraints in \d and \di.
-- Left to separate checks because their output differs per run or per cluster:
-- \conninfo (database name and port), \l (all databases, their locales), Time: lines.
\set VERBOSITY sqlstate
CREATE SCHEMA shop;
CREATE TABLE items (id int PRIMARY KEY, name varchar(40) NOT NULL, price numeric(10,2) DEFAULT 0, added date DEFAULT '2024-01-01', active boolean NOT NULL DEFAULT true, tags text[], note text);
CREATE TABLE notes (body text, written timestamptz DEFAULT now(), score double precision);
CREATE TABLE shop.orders (order_id bigint, line smallint, item_id int NOT NULL, qty int DEFAULT 1, placed timestamp, PRIMARY KEY (order_id, line));
CREATE TABLE shop.customers (id uuid PRIMARY KEY, name text NOT NULL DEFAULT 'anon', code char(3), data jsonb, photo bytea, since time, ttl interval, ratio real);
INSERT INTO items (id, name, price, tags) VALUES (1, 'pen', 1.25, '{blue,cheap}'), (2, 'ink', 4, NULL);
-- Relations visible on the search path, then one table in each form.
\d
\d items
\d notes
\d shop.orders
\d shop.customers
\d+ items
\d items_pkey
\d shop.orders_pkey
\d missing
-- Tables: visible ones, by schema, by pattern, none.
\dt
\dt shop.*
\dt *.orders
\dt it*
\dt missing
-- Schemas, indexes, types, functions, roles.
\dn
\dn shop
\di
\di shop.*
\dT
\dT int4
\dT pg_catalog.varchar
\df
\df current_database
\df pg_backend_pid
\du postgres
-- Expanded display.
\x
SELECT * FROM items ORDER BY id;
\x
SELECT id, name FROM items ORDER BY id;
-- \timing prints its toggles here; its Time: lines are checked elsewhere.
\timing on
\timing off
-- Secondary indexes and UNIQUE constraints: \d lists them under "Indexes:", \di lists them.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text, org int, UNIQUE NULLS NOT DISTINCT (org, name));
CREATE INDEX ON users (name DESC);
CREATE INDEX users_org_idx ON users (org) INCLUDE (name);
CREATE UNIQUE INDEX by_email_name ON users (email ASC NULLS FIRST, name);
CREATE INDEX "Placed" ON shop.orders (placed DESC NULLS LAST, item_id NULLS FIRST);
ALTER TABLE shop.orders ADD CONSTRAINT orders_item UNIQUE (item_id, qty);
\d users
\d shop.orders
\di
\di shop.*
\d users_org_idx
\d users_email_key
\d+ shop."Placed"
DROP INDEX users_name_idx;
\d users
DROP SCHEMA shop CASCADE;
\dt *.orders
-- Foreign keys: \d lists a table's under "Foreign-key constraints:" and the ones
-- referencing it under "Referenced by:", the referenced table named as the search path
-- finds it.
CREATE SCHEMA inv;
CREATE TABLE inv.parts (id int PRIMARY KEY, code text UNIQUE, maker int, batch int, UNIQUE (maker, batch));
CREATE TABLE stock (id int PRIMARY KEY, item_id int REFERENCES items ON DELETE CASCADE, part_code text REFERENCES inv.parts (code) ON UPDATE CASCADE, maker int, batch int, FOREIGN KEY (batch, maker) REFERENCES inv.parts (batch, maker) ON UPDATE RESTRICT ON DELETE SET NULL);
CREATE TABLE inv.kits (id int PRIMARY KEY, parent int REFERENCES inv.kits, part int REFERENCES inv.parts);
\d stock
\d items
\d inv.parts
\d inv.kits
