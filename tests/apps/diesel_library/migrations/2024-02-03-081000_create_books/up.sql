-- Your SQL goes here
CREATE TABLE books (
  id SERIAL PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (id),
  title VARCHAR NOT NULL,
  isbn VARCHAR(13) NOT NULL,
  published_year INTEGER,
  copies INTEGER NOT NULL DEFAULT 1
);

CREATE UNIQUE INDEX books_isbn_idx ON books (isbn);
CREATE INDEX books_author_id_idx ON books (author_id);
CREATE INDEX books_published_year_title_idx ON books (published_year DESC, title);
