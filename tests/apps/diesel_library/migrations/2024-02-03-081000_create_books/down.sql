-- This file should undo anything in `up.sql`
DROP INDEX books_published_year_title_idx;
DROP INDEX books_author_id_idx;
DROP INDEX books_isbn_idx;
DROP TABLE books;
