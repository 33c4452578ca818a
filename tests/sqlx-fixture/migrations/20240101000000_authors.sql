-- Authors: a NOT NULL column, a nullable one and one with a default.
CREATE TABLE authors (
    id int PRIMARY KEY,
    name text NOT NULL,
    email varchar(100),
    joined date NOT NULL DEFAULT '2024-01-01'
);
