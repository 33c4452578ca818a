//! The SQL fuzzer's grammar: random statements over [`TABLES`], a few tables holding every
//! column type Shale has, seeded with edge values ([`SETUP`]). Statements are SELECTs
//! (expressions, casts between all the types, operators, functions, CASE, subqueries,
//! aggregates, joins, windows, set operations, recursive CTEs, huge LIMIT/OFFSET) and
//! INSERT/UPDATE/DELETE; now and then a stress form: a long operator chain, deep nesting,
//! a huge `repeat`/`lpad` count. Tokens are separated by single spaces and literals hold no
//! space, so a statement splits back into tokens with [`tokens`].

use crate::rng::Rng;

/// A column type: its name in casts and column definitions, literal values of it (edge
/// values included) and functions or operators making one from the others (`{T}` stands
/// for an expression of type T, `{}` for one of this type).
pub struct Type {
    pub name: &'static str,
    literals: &'static [&'static str],
    forms: &'static [&'static str],
}

const INT_FORMS: &[&str] = &[
    "( {} + {} )",
    "( {} - {} )",
    "( {} * {} )",
    "( {} / {} )",
    "( {} % {} )",
    "( - {} )",
    "abs ( {} )",
    "gcd ( {} , {} )",
    "length ( {text} )",
    "position ( {text} IN {text} )",
    "ascii ( {text} )",
    "array_length ( {integer[]} , 1 )",
    "cardinality ( {integer[]} )",
    "width_bucket ( {double precision} , 0 , 100 , {integer} )",
    "extract ( year FROM {timestamp} )::integer",
    "( {date} - {date} )",
];

const FLOAT_FORMS: &[&str] = &[
    "( {} + {} )",
    "( {} * {} )",
    "( {} / {} )",
    "sqrt ( {} )",
    "power ( {} , {} )",
    "ln ( {} )",
    "exp ( {} )",
    "round ( {} )",
    "trunc ( {} )",
    "extract ( epoch FROM {timestamptz} )::double precision",
];

const NUMERIC_FORMS: &[&str] = &[
    "( {} + {} )",
    "( {} - {} )",
    "( {} * {} )",
    "( {} / {} )",
    "( {} % {} )",
    "round ( {} , {integer} )",
    "trunc ( {} , {integer} )",
    "abs ( {} )",
    "sum ( {} ) OVER ( )",
    "mod ( {} , {} )",
];

const TEXT_FORMS: &[&str] = &[
    "( {} || {} )",
    "upper ( {} )",
    "lower ( {} )",
    "substr ( {} , {integer} , {integer} )",
    "repeat ( {} , {integer} )",
    "lpad ( {} , {integer} )",
    "rpad ( {} , {integer} , {} )",
    "left ( {} , {integer} )",
    "replace ( {} , {} , {} )",
    "reverse ( {} )",
    "md5 ( {} )",
    "split_part ( {} , {} , {integer} )",
    "regexp_replace ( {} , {} , {} )",
    "format ( '>>%10s<<' , {} )",
    "to_char ( {numeric} , '999D99' )",
    "to_char ( {timestamp} , 'YYYY-MM-DD HH24:MI:SS' )",
    "concat ( {} , {integer} , {date} )",
    "trim ( {} )",
    "{jsonb} ->> 'a'",
    "{integer[]}::text",
    "{text[]} [ {integer} ]",
];

const BOOL_FORMS: &[&str] = &[
    "( {} AND {} )",
    "( {} OR {} )",
    "( NOT {} )",
    "( {integer} < {integer} )",
    "( {numeric} = {numeric} )",
    "( {text} > {text} )",
    "( {date} <= {date} )",
    "( {text} LIKE {text} )",
    "( {text} ~ {text} )",
    "( {integer} IN ( {integer} , {integer} , {integer} ) )",
    "( {character(3)} IN ( 'ab' , 'abc' ) )",
    "( {bigint} BETWEEN {bigint} AND {bigint} )",
    "( {double precision} IS NULL )",
    "starts_with ( {text} , {text} )",
    "( {jsonb} ? 'a' )",
    "( {integer[]} @> {integer[]} )",
];

const DATE_FORMS: &[&str] = &["( {} + {integer} )", "make_date ( {integer} , {integer} , {integer} )", "{timestamp}::date"];

const TIMESTAMP_FORMS: &[&str] = &[
    "( {} + {interval} )",
    "date_trunc ( 'month' , {} )",
    "date_bin ( {interval} , {} , {} )",
    "to_timestamp ( {double precision} )::timestamp",
];

const TIMESTAMPTZ_FORMS: &[&str] = &["( {} - {interval} )", "now ( )", "date_trunc ( 'day' , {} )"];

const INTERVAL_FORMS: &[&str] = &["( {} * {double precision} )", "( {timestamp} - {timestamp} )", "justify_days ( {} )"];

const JSONB_FORMS: &[&str] = &["( {} -> 'a' )", "( {} || {} )", "to_jsonb ( {text} )", "{json}::jsonb"];

const ARRAY_FORMS: &[&str] = &["array_append ( {} , {integer} )", "( {} || {} )", "ARRAY [ {integer} , {integer} ]"];

/// Every column type Shale has, with edge values.
pub const TYPES: &[Type] = &[
    Type { name: "smallint", literals: &["0", "-1", "32767", "(-32768)::smallint"], forms: INT_FORMS },
    Type {
        name: "integer",
        literals: &["0", "1", "-1", "2", "48", "2147483647", "(-2147483647-1)", "10000", "600000000"],
        forms: INT_FORMS,
    },
    Type {
        name: "bigint",
        literals: &["0", "9223372036854775807", "(-9223372036854775807-1)", "4294967296"],
        forms: INT_FORMS,
    },
    Type { name: "real", literals: &["'NaN'", "'Infinity'", "'-Infinity'", "1.5", "3.4e38", "'10e70'", "-0.0"], forms: FLOAT_FORMS },
    Type {
        name: "double precision",
        literals: &["'NaN'", "'Infinity'", "'-Infinity'", "1e308", "1e-308", "0.0", "2.5", "-2.5"],
        forms: FLOAT_FORMS,
    },
    Type {
        name: "numeric",
        literals: &["'NaN'", "'Infinity'", "'-Infinity'", "0.000001", "99999999.99", "1.5", "-2.5", "1e50"],
        forms: NUMERIC_FORMS,
    },
    Type { name: "numeric(10,2)", literals: &["0", "12345678.99", "-0.005", "1.5"], forms: NUMERIC_FORMS },
    Type { name: "text", literals: &["''", "'a'", "'abc'", "'Hello'", "'%'", "'[a-'", "'(a)*'", "E'\\\\x'"], forms: TEXT_FORMS },
    Type { name: "character varying(5)", literals: &["''", "'abcde'", "'abcdef'"], forms: &[] },
    Type { name: "character(3)", literals: &["''", "'ab'", "'abcd'"], forms: &[] },
    Type { name: "boolean", literals: &["true", "false"], forms: BOOL_FORMS },
    Type {
        name: "date",
        literals: &["'2024-02-29'", "'infinity'", "'-infinity'", "'4713-01-01 BC'", "'5874897-12-31'", "'epoch'"],
        forms: DATE_FORMS,
    },
    Type { name: "time", literals: &["'00:00'", "'23:59:59.999999'", "'24:00'"], forms: &[] },
    Type {
        name: "timestamp",
        literals: &["'2024-01-01 12:00'", "'infinity'", "'-infinity'", "'4713-01-01 00:00 BC'", "'294276-12-31 23:59:59'"],
        forms: TIMESTAMP_FORMS,
    },
    Type { name: "timestamptz", literals: &["'2024-01-01 12:00+02'", "'infinity'", "'epoch'"], forms: TIMESTAMPTZ_FORMS },
    Type {
        name: "interval",
        literals: &["'1 day'", "'-1 microsecond'", "'178000000 years'", "'1 mon -1 day'"],
        forms: INTERVAL_FORMS,
    },
    Type { name: "bytea", literals: &["'\\xdeadbeef'", "''", "'\\x00'"], forms: &[] },
    Type { name: "uuid", literals: &["'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"], forms: &[] },
    Type { name: "json", literals: &["'{}'", "'[]'", "'null'", "'{\"a\":[1,{\"b\":null}]}'"], forms: &[] },
    Type { name: "jsonb", literals: &["'{}'", "'[1,2]'", "'{\"a\":\"x\"}'", "'\"s\"'"], forms: JSONB_FORMS },
    Type { name: "integer[]", literals: &["'{}'", "'{1,NULL,3}'", "'{2147483647}'"], forms: ARRAY_FORMS },
    Type { name: "text[]", literals: &["'{}'", "'{a,\"b,c\",NULL}'"], forms: &[] },
];

/// One fuzzed table: its name and its columns with their types (names in [`TYPES`]).
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
}

/// The fuzzed tables; each has `id integer PRIMARY KEY` besides these columns.
pub const TABLES: &[Table] = &[
    Table {
        name: "fz_num",
        columns: &[
            ("i2", "smallint"),
            ("i4", "integer"),
            ("i8", "bigint"),
            ("f4", "real"),
            ("f8", "double precision"),
            ("n", "numeric"),
            ("n2", "numeric(10,2)"),
        ],
    },
    Table {
        name: "fz_txt",
        columns: &[
            ("t", "text"),
            ("v", "character varying(5)"),
            ("c", "character(3)"),
            ("b", "boolean"),
            ("bt", "bytea"),
            ("u", "uuid"),
            ("j", "json"),
            ("jb", "jsonb"),
        ],
    },
    Table {
        name: "fz_time",
        columns: &[("d", "date"), ("tm", "time"), ("ts", "timestamp"), ("tz", "timestamptz"), ("iv", "interval")],
    },
    Table { name: "fz_arr", columns: &[("ai", "integer[]"), ("ta", "text[]")] },
];

/// The statements that create and fill [`TABLES`]: a row of NULLs, then for each column a
/// row per literal of its type (one value a row, so that a value one server refuses costs
/// only its own row).
pub fn setup() -> Vec<String> {
    let mut statements = Vec::new();
    for table in TABLES {
        let columns: Vec<String> = table.columns.iter().map(|(name, ty)| format!("{name} {ty}")).collect();
        statements.push(format!("DROP TABLE IF EXISTS {}", table.name));
        statements.push(format!("CREATE TABLE {} (id integer PRIMARY KEY, {})", table.name, columns.join(", ")));
        statements.push(format!("INSERT INTO {} (id) VALUES (0)", table.name));
        let mut id = 100;
        for (column, ty) in table.columns {
            let ty = type_named(ty);
            for literal in ty.literals {
                id += 1;
                statements.push(format!("INSERT INTO {} (id, {column}) VALUES ({id}, {literal}::{})", table.name, ty.name));
            }
        }
    }
    statements
}

fn type_named(name: &str) -> &'static Type {
    TYPES.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"))
}

/// Splits a statement into its tokens: at spaces outside single quotes.
pub fn tokens(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in sql.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == ' ' && !quoted {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A random statement generator; `table` is the table in scope, whose columns expressions
/// may name.
pub struct Generator<'r> {
    rng: &'r mut Rng,
    table: Option<&'static Table>,
}

impl<'r> Generator<'r> {
    pub fn new(rng: &'r mut Rng) -> Generator<'r> {
        Generator { rng, table: None }
    }

    /// An expression of type `ty`, at most `depth` levels of forms deep.
    fn expr(&mut self, ty: &'static Type, depth: usize) -> String {
        let columns: Vec<&str> =
            self.table.map(|t| t.columns.iter().filter(|(_, c)| *c == ty.name).map(|(n, _)| *n).collect()).unwrap_or_default();
        match self.rng.below(8) {
            0 | 1 if !columns.is_empty() => self.rng.pick(&columns).to_string(),
            2 | 3 if depth > 0 && !ty.forms.is_empty() => {
                let form = *self.rng.pick(ty.forms);
                self.fill(form, ty, depth - 1)
            }
            4 if depth > 0 => {
                let from = self.rng.pick(TYPES);
                format!("CAST ( {} AS {} )", self.expr(from, depth - 1), ty.name)
            }
            5 if depth > 0 => {
                let (cond, a, b) = (self.expr(type_named("boolean"), depth - 1), self.expr(ty, depth - 1), self.expr(ty, depth - 1));
                match self.rng.below(3) {
                    0 => format!("CASE WHEN {cond} THEN {a} ELSE {b} END"),
                    1 => format!("COALESCE ( {a} , {b} )"),
                    _ => format!("GREATEST ( {a} , {b} )"),
                }
            }
            6 if depth > 0 && self.rng.one_in(3) => {
                let outer = self.table;
                self.table = Some(self.rng.pick(TABLES));
                let inner = self.expr(ty, depth - 1);
                let sub = format!("( SELECT {inner} FROM {} ORDER BY id LIMIT 1 )", self.table.expect("set").name);
                self.table = outer;
                sub
            }
            7 if self.rng.one_in(4) => format!("NULL::{}", ty.name),
            _ => format!("{}::{}", self.rng.pick(ty.literals), ty.name),
        }
    }

    /// `form` with each `{}` an expression of `ty` and each `{T}` one of type T.
    fn fill(&mut self, form: &str, ty: &'static Type, depth: usize) -> String {
        let mut out = String::new();
        let mut rest = form;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("closed placeholder");
            out.push_str(&rest[..open]);
            let named = &rest[open + 1..close];
            let hole = if named.is_empty() { ty } else { type_named(named) };
            out.push_str(&self.expr(hole, depth));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A stress form: an expression the server must survive (long chains, deep nesting,
    /// huge sizes).
    fn stress(&mut self) -> String {
        let n = *self.rng.pick(&[100, 400, 1000, 3000, 10_000]);
        let chain = |sep: &str, term: &str| vec![term; n].join(sep);
        match self.rng.below(9) {
            0 => chain(" + ", "1"),
            1 => chain(" || ", "'a'"),
            2 => format!("( {} )", (1..=n).map(|i| format!("1 = {i}")).collect::<Vec<_>>().join(" OR ")),
            3 => format!("{}1{}", "( ".repeat(n), " )".repeat(n)),
            4 => format!("repeat ( '[' , {n} )::{}", self.rng.pick(&["json", "jsonb"])),
            5 => format!("repeat ( '{{\"a\":' , {n} )::json"),
            6 => {
                let depth = *self.rng.pick(&[7, 48, 100]);
                format!("{}1{}", "ARRAY [ ".repeat(depth), " ]".repeat(depth))
            }
            7 => format!("length ( lpad ( 'ab' , {} ) )", self.rng.pick(&["2147483647", "100000000", "-5"])),
            _ => format!("length ( repeat ( 'abc' , {} ) )", self.rng.pick(&["600000000", "2147483647", "-1"])),
        }
    }

    fn limit(&mut self) -> String {
        let n = ["0", "1", "100000000", "2147483648", "9223372036854775807", "-1", "1.5", "NULL"];
        let mut clause = format!("LIMIT {}", self.rng.pick(&n));
        if self.rng.one_in(2) {
            clause += &format!(" OFFSET {}", self.rng.pick(&n));
        }
        clause
    }

    /// A SELECT list of one to three expressions.
    fn select_list(&mut self, depth: usize) -> String {
        let n = self.rng.between(1, 3);
        (0..n)
            .map(|_| {
                let ty = self.rng.pick(TYPES);
                self.expr(ty, depth)
            })
            .collect::<Vec<_>>()
            .join(" , ")
    }

    /// A statement.
    pub fn statement(&mut self) -> String {
        let table = self.rng.pick(TABLES);
        let (column, column_type) = *self.rng.pick(table.columns);
        let depth = self.rng.between(1, 4);
        let boolean = type_named("boolean");
        let sql = match self.rng.below(14) {
            0 => format!("SELECT {}", self.stress()),
            1 | 2 => format!("SELECT {}", self.select_list(depth)),
            3 => {
                let to = self.rng.pick(TYPES);
                let from = self.rng.pick(TYPES);
                format!("SELECT CAST ( {}::{} AS {} )", self.rng.pick(from.literals), from.name, to.name)
            }
            4..=6 => {
                self.table = Some(table);
                let list = self.select_list(depth);
                let filter = self.expr(boolean, depth);
                let tail = if self.rng.one_in(2) { self.limit() } else { String::new() };
                format!("SELECT {list} FROM {} WHERE {filter} ORDER BY 1 {tail}", table.name)
            }
            7 => {
                self.table = Some(table);
                let agg = self.rng.pick(&["count", "min", "max", "sum", "avg", "array_agg", "string_agg"]);
                let arg = if *agg == "string_agg" { format!("{column}::text , ','") } else { column.to_string() };
                let having = self.expr(boolean, 1);
                format!("SELECT {column} , {agg} ( {arg} ) FROM {} GROUP BY {column} HAVING {having} ORDER BY 1", table.name)
            }
            8 => format!("SELECT DISTINCT {column} FROM {} ORDER BY 1 {}", table.name, self.limit()),
            9 => {
                let frame = ["ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", "ROWS BETWEEN -1 PRECEDING AND 2 FOLLOWING", "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING"];
                let f = self.rng.pick(&["count", "min", "row_number", "lag"]);
                let arg = if *f == "row_number" { String::new() } else { column.to_string() };
                format!("SELECT id , {f} ( {arg} ) OVER ( ORDER BY id {} ) FROM {}", self.rng.pick(&frame), table.name)
            }
            10 => {
                let k = self.rng.pick(&["10", "1000", "10000"]);
                format!("WITH RECURSIVE r ( n ) AS ( SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < {k} ) SELECT count ( * ) , max ( n ) FROM r")
            }
            11 => {
                let value = self.expr(type_named(column_type), depth);
                let id = self.rng.between(0, 20);
                format!("INSERT INTO {} ( id , {column} ) VALUES ( {id} , {value} ) RETURNING *", table.name)
            }
            12 => {
                self.table = Some(table);
                let value = self.expr(type_named(column_type), depth);
                let filter = self.expr(boolean, depth);
                format!("UPDATE {} SET {column} = {value} WHERE {filter} RETURNING id", table.name)
            }
            _ => {
                let other = self.rng.pick(TABLES);
                let set = if self.rng.one_in(2) { "UNION" } else { "EXCEPT" };
                format!("SELECT a.id FROM {} a JOIN {} b ON a.id = b.id {set} SELECT id FROM {} ORDER BY 1", table.name, other.name, table.name)
            }
        };
        self.table = None;
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_quoted_spaces() {
        assert_eq!(tokens("SELECT  'a b' || x"), ["SELECT", "'a b'", "||", "x"]);
    }

    #[test]
    fn every_type_named_in_a_form_or_table_exists() {
        for table in TABLES {
            for (_, ty) in table.columns {
                type_named(ty);
            }
        }
        let mut rng = Rng::new(1);
        for _ in 0..2000 {
            let sql = Generator::new(&mut rng).statement();
            assert!(!sql.contains(" {"), "a placeholder left in {sql}");
        }
    }
}
