-- This file should undo anything in `up.sql`
DROP INDEX authors_name_idx;
DROP INDEX authors_email_idx;
DROP TABLE authors;
