-- Your SQL goes here
CREATE TABLE authors (
  id SERIAL PRIMARY KEY,
  name VARCHAR NOT NULL,
  email VARCHAR NOT NULL,
  born INTEGER
);

CREATE UNIQUE INDEX authors_email_idx ON authors (email);
CREATE INDEX authors_name_idx ON authors (name);
