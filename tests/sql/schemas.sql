-- Schemas and search_path in a psql session.
-- Errors print as their SQLSTATE; NOTICEs print in full where VERBOSITY is default.
\set VERBOSITY sqlstate
SHOW search_path;
SELECT current_schema();
CREATE SCHEMA app;
\set VERBOSITY default
CREATE SCHEMA IF NOT EXISTS app;
\set VERBOSITY sqlstate
CREATE TABLE app.users (id int PRIMARY KEY, name text);
CREATE TABLE users (id int PRIMARY KEY, email text);
INSERT INTO app.users VALUES (1, 'ann'), (2, 'bob');
INSERT INTO users VALUES (1, 'root@example.com');
SELECT * FROM users;
SET search_path TO app, public;
SHOW search_path;
SELECT current_schema();
SELECT * FROM users ORDER BY id;
SELECT u.name, p.email FROM users u JOIN public.users p ON p.id = u.id;
DROP SCHEMA app;
\set VERBOSITY default
DROP SCHEMA app CASCADE;
\set VERBOSITY sqlstate
SELECT current_schema();
SELECT * FROM users;
