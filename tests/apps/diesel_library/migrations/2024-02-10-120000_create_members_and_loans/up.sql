-- Your SQL goes here
CREATE TABLE members (
  id SERIAL PRIMARY KEY,
  card_number VARCHAR(20) NOT NULL,
  name VARCHAR NOT NULL
);

CREATE UNIQUE INDEX members_card_number_idx ON members (card_number);

CREATE TABLE loans (
  id SERIAL PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
  member_id INTEGER NOT NULL REFERENCES members (id),
  borrowed_on DATE NOT NULL DEFAULT CURRENT_DATE,
  due_on DATE NOT NULL,
  returned_on DATE
);

CREATE INDEX loans_member_id_idx ON loans (member_id);
CREATE INDEX loans_book_id_borrowed_on_idx ON loans (book_id, borrowed_on);

CREATE TABLE returned_loans (
  loan_id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL,
  member_id INTEGER NOT NULL,
  borrowed_on DATE NOT NULL,
  returned_on DATE NOT NULL
);
