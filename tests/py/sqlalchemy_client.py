"""SQLAlchemy 2 over psycopg 3 against the server whose libpq URL is argv[1] (issue 5,
point 7).

Reflects tables through the inspector (schemas, tables in the default schema and in another
one, columns with their types, nullability and defaults, primary keys single and composite,
indexes; get_pk_constraint, get_indexes, get_unique_constraints and get_foreign_keys of a
table with a primary key, a UNIQUE constraint, a two-column unique index, a two-column index
with a DESC column, an index with NULLS FIRST / LAST and INCLUDE columns and two foreign
keys, issue 13 point 2), then creates a declarative model with metadata.create_all() and
inserts, queries, updates and deletes through an ORM session. Prints one line per observation;
tests/tests/e2e/sqlalchemy.rs compares them with what PostgreSQL 15 gives.

The model's integer primary key has autoincrement=False: SQLAlchemy's default for an
Integer primary key is SERIAL, which shale does not have.
"""

import sys
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean, Date, Numeric, String, create_engine, delete, func, inspect, select, text, update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

URL = sys.argv[1].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(URL)

with engine.begin() as conn:
    conn.execute(text("CREATE SCHEMA sa_s"))
    conn.execute(text(
        "CREATE TABLE sa_items (id integer PRIMARY KEY, name varchar(20) NOT NULL,"
        " code char(3) DEFAULT 'abc', price numeric(8,2) DEFAULT 0, qty smallint NOT NULL DEFAULT 1,"
        " big bigint, ratio double precision, score real, note text, active boolean DEFAULT true,"
        " added date, at timestamp, at_tz timestamptz, taken time, span interval,"
        " uid uuid, raw bytea, doc jsonb, tags text[])"
    ))
    conn.execute(text(
        "CREATE TABLE sa_s.pairs (a integer NOT NULL, b varchar(10) NOT NULL,"
        " amount numeric(12,4) NOT NULL DEFAULT 1.5, PRIMARY KEY (b, a))"
    ))

    # Every kind of key and index the inspector reports (issue 13, point 2).
    conn.execute(text(
        "CREATE TABLE sa_s.accounts (id bigint NOT NULL, item integer NOT NULL"
        " REFERENCES sa_items ON DELETE CASCADE, iban varchar(34) NOT NULL,"
        " handle text, region text, opened date, pa integer, pb varchar(10),"
        " CONSTRAINT accounts_pkey PRIMARY KEY (id),"
        " CONSTRAINT accounts_handle_key UNIQUE (handle),"
        " CONSTRAINT accounts_pair_fk FOREIGN KEY (pb, pa) REFERENCES sa_s.pairs (b, a)"
        " ON UPDATE CASCADE)"
    ))
    conn.execute(text("CREATE UNIQUE INDEX accounts_item_iban_idx ON sa_s.accounts (item, iban)"))
    conn.execute(text(
        "CREATE INDEX accounts_region_opened_idx ON sa_s.accounts (region, opened DESC)"
    ))
    conn.execute(text(
        "CREATE INDEX accounts_opened_idx ON sa_s.accounts (opened DESC NULLS LAST, id NULLS FIRST)"
        " INCLUDE (iban)"
    ))

insp = inspect(engine)
print("default schema:", insp.default_schema_name)
print("schemas:", insp.get_schema_names())
print("tables:", insp.get_table_names())
print("tables sa_s:", insp.get_table_names(schema="sa_s"))
print("has_table:", insp.has_table("sa_items"), insp.has_table("pairs", schema="sa_s"),
      insp.has_table("missing"))
for schema, table in [(None, "sa_items"), ("sa_s", "pairs")]:
    for col in insp.get_columns(table, schema=schema):
        print(f"column {table}: {col['name']} {col['type']!r} nullable={col['nullable']}"
              f" default={col['default']!r}")
    pk = insp.get_pk_constraint(table, schema=schema)
    print(f"pk {table}: {pk['constrained_columns']} {pk['name']}")
    print(f"indexes {table}: {insp.get_indexes(table, schema=schema)}")

print("pk accounts:", insp.get_pk_constraint("accounts", schema="sa_s"))
for index in insp.get_indexes("accounts", schema="sa_s"):
    print("index accounts:", dict(sorted(index.items())))
for unique in insp.get_unique_constraints("accounts", schema="sa_s"):
    print("unique accounts:", dict(sorted(unique.items())))
for fk in insp.get_foreign_keys("accounts", schema="sa_s"):
    print("fk accounts:", dict(sorted(fk.items())))


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "sa_products"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))
    price: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    added: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self):
        return f"Product({self.id}, {self.name!r}, {self.price!r}, {self.added!r}, {self.active})"


Base.metadata.create_all(engine)
print("created:", inspect(engine).get_table_names())
print("product columns:", [
    (c["name"], repr(c["type"]), c["nullable"]) for c in inspect(engine).get_columns("sa_products")
])

with Session(engine) as session:
    session.add_all([
        Product(id=1, name="apple", price=Decimal("1.50"), added=date(2024, 1, 2)),
        Product(id=2, name="pear", price=Decimal("2.25"), active=False),
        Product(id=3, name="plum's", price=Decimal("0.99"), added=date(2024, 5, 6)),
    ])
    session.commit()

    for product in session.scalars(select(Product).order_by(Product.id)):
        print("row:", product)
    print("active:", session.scalars(
        select(Product.name).where(Product.active).order_by(Product.name)).all())
    print("get:", session.get(Product, 3))

    product = session.get(Product, 2)
    product.price = Decimal("2.50")
    session.commit()
    session.execute(update(Product).where(Product.id >= 2).values(active=True))
    session.commit()
    print("updated:", session.scalars(select(Product).where(Product.id == 2)).one())

    session.delete(session.get(Product, 1))
    session.commit()
    session.execute(delete(Product).where(Product.name == "plum's"))
    session.rollback()
    print("count:", session.scalar(select(func.count()).select_from(Product)))
    print("remaining:", session.scalars(select(Product.id).order_by(Product.id)).all())

Base.metadata.drop_all(engine)
with engine.begin() as conn:
    conn.execute(text("DROP TABLE sa_s.accounts"))
    conn.execute(text("DROP TABLE sa_items"))
    conn.execute(text("DROP TABLE sa_s.pairs"))
    conn.execute(text("DROP SCHEMA sa_s"))
print("tables after drop:", inspect(engine).get_table_names())
engine.dispose()
print("done")
