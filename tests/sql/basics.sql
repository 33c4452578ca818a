-- A psql session as a person types it: aligned output, command tags, notices, errors.
-- Errors print as their SQLSTATE; NOTICEs print in full where VERBOSITY is default.
\set VERBOSITY sqlstate
CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price numeric(8,2), in_stock boolean DEFAULT true, added date);
\set VERBOSITY default
CREATE TABLE IF NOT EXISTS products (id int);
\set VERBOSITY sqlstate
INSERT INTO products (id, name, price, added) VALUES (1, 'pen', 1.25, '2024-01-02'), (2, 'ink', 4, '2024-02-03'), (3, 'paper', 0.5, NULL);
\echo :ROW_COUNT
SELECT * FROM products ORDER BY id;
SELECT name, price FROM products WHERE price > 1 ORDER BY price DESC;
SELECT count(*) FROM products;
SELECT count(*) AS n, sum(price) AS total, max(added) AS newest FROM products;
UPDATE products SET price = price * 2, in_stock = false WHERE id = 2;
\echo :ROW_COUNT
SELECT id, name, price, in_stock FROM products WHERE NOT in_stock;
INSERT INTO products (id, name) VALUES (1, 'duplicate');
\echo :SQLSTATE
INSERT INTO products (id, name) VALUES (4, NULL);
SELECT * FROM missing;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM products WHERE id IN (1, 3) RETURNING id, name;
SELECT id, name FROM products;
ALTER TABLE products ADD COLUMN note text DEFAULT 'n/a';
SELECT id, note FROM products;
DROP TABLE products;
\set VERBOSITY default
DROP TABLE IF EXISTS products;
\set VERBOSITY sqlstate
SELECT * FROM products;
