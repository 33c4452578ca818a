-- Books: author_id refers to authors.id (no FOREIGN KEY: not supported by Shale yet).
CREATE TABLE books (
    id int PRIMARY KEY,
    author_id int,
    title text NOT NULL,
    price numeric(8,2),
    published timestamptz,
    isbn uuid NOT NULL
);
