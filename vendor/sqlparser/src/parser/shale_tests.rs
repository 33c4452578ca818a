// Licensed to the Apache Software Foundation (ASF) under one
// or more contributor license agreements.  See the NOTICE file
// distributed with this work for additional information
// regarding copyright ownership.  The ASF licenses this file
// to you under the Apache License, Version 2.0 (the
// "License"); you may not use this file except in compliance
// with the License.  You may obtain a copy of the License at
//
//   http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing,
// software distributed under the License is distributed on an
// "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
// KIND, either express or implied.  See the License for the
// specific language governing permissions and limitations
// under the License.

//! Shale: tests of the PostgreSQL 15 statements this copy parses beyond the release (see
//! `PATCHED.md`): each form is parsed with [PostgreSqlDialect], its AST checked, and its
//! display parsed again to the same AST.

use crate::ast::*;
use crate::dialect::{GenericDialect, PostgreSqlDialect, RedshiftSqlDialect};
use crate::parser::Parser;

/// Parses `sql` (one statement) with PostgreSQL's dialect, checks that its display parses to
/// the same AST and displays the same, and returns it.
fn pg(sql: &str) -> Statement {
    let mut statements =
        Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(statements.len(), 1, "{sql}");
    let statement = statements.pop().unwrap();
    let displayed = statement.to_string();
    let again = Parser::parse_sql(&PostgreSqlDialect {}, &displayed)
        .unwrap_or_else(|e| panic!("{displayed} (from {sql}): {e}"));
    assert_eq!(
        again,
        vec![statement.clone()],
        "{sql} displayed as {displayed}"
    );
    assert_eq!(again[0].to_string(), displayed);
    statement
}

/// [pg], and that it displays as `canonical`.
fn pg_canonical(sql: &str, canonical: &str) -> Statement {
    let statement = pg(sql);
    assert_eq!(statement.to_string(), canonical);
    statement
}

/// [pg] for a statement that displays as written.
fn pg_verified(sql: &str) -> Statement {
    pg_canonical(sql, sql)
}

fn pg_error(sql: &str) -> String {
    match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(statements) => panic!("{sql} parsed: {statements:?}"),
        Err(e) => e.to_string(),
    }
}

fn name(parts: &[&str]) -> ObjectName {
    ObjectName::from(parts.iter().map(|p| Ident::new(*p)).collect::<Vec<_>>())
}

fn idents(names: &[&str]) -> Vec<Ident> {
    names.iter().map(|n| Ident::new(*n)).collect()
}

// 1. REFRESH MATERIALIZED VIEW

#[test]
fn refresh_materialized_view() {
    assert_eq!(
        pg_verified("REFRESH MATERIALIZED VIEW mv"),
        Statement::RefreshMaterializedView {
            concurrently: false,
            name: name(&["mv"]),
            with_data: true,
        }
    );
    assert_eq!(
        pg_verified("REFRESH MATERIALIZED VIEW CONCURRENTLY s.mv WITH NO DATA"),
        Statement::RefreshMaterializedView {
            concurrently: true,
            name: name(&["s", "mv"]),
            with_data: false,
        }
    );
    assert_eq!(
        pg_canonical(
            "refresh materialized view mv with data",
            "REFRESH MATERIALIZED VIEW mv"
        ),
        Statement::RefreshMaterializedView {
            concurrently: false,
            name: name(&["mv"]),
            with_data: true,
        }
    );
    pg_error("REFRESH MATERIALIZED VIEW");
    pg_error("REFRESH MATERIALIZED VIEW mv WITH");
}

// 2. WITH [ NO ] DATA of CREATE MATERIALIZED VIEW and CREATE TABLE AS

fn create_view(statement: Statement) -> CreateView {
    match statement {
        Statement::CreateView(view) => view,
        other => panic!("not CREATE VIEW: {other:?}"),
    }
}

fn create_table(statement: Statement) -> CreateTable {
    match statement {
        Statement::CreateTable(table) => table,
        other => panic!("not CREATE TABLE: {other:?}"),
    }
}

#[test]
fn create_materialized_view_with_data() {
    let view = create_view(pg_verified(
        "CREATE MATERIALIZED VIEW IF NOT EXISTS mv (a, b) WITH (fillfactor = 70) AS SELECT 1, 2 WITH NO DATA",
    ));
    assert!(view.materialized && view.if_not_exists);
    assert_eq!(view.name, name(&["mv"]));
    assert_eq!(
        view.columns
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        idents(&["a", "b"])
    );
    assert_eq!(view.with_data, Some(false));
    assert_eq!(view.check_option, None);
    match &view.options {
        CreateTableOptions::With(options) => {
            assert_eq!(options.len(), 1);
            assert_eq!(options[0].to_string(), "fillfactor = 70");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(view.query.to_string(), "SELECT 1, 2");

    let view = create_view(pg_verified(
        "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t WITH DATA",
    ));
    assert_eq!(view.with_data, Some(true));
    assert_eq!(view.query.to_string(), "SELECT * FROM t");

    let view = create_view(pg_verified("CREATE MATERIALIZED VIEW mv AS SELECT 1"));
    assert_eq!(view.with_data, None);

    // The query may start with WITH, and end before WITH DATA.
    let view = create_view(pg_verified(
        "CREATE MATERIALIZED VIEW mv AS WITH c AS (SELECT 1 AS x) SELECT x FROM c WITH NO DATA",
    ));
    assert_eq!(view.with_data, Some(false));
    assert_eq!(
        view.query.to_string(),
        "WITH c AS (SELECT 1 AS x) SELECT x FROM c"
    );

    // WITH DATA is not a view's.
    pg_error("CREATE VIEW v AS SELECT 1 WITH NO DATA");
}

#[test]
fn create_table_as_with_data() {
    let table = create_table(pg_verified(
        "CREATE TABLE t2 AS SELECT * FROM t WITH NO DATA",
    ));
    assert_eq!(table.with_data, Some(false));
    assert_eq!(table.query.as_ref().unwrap().to_string(), "SELECT * FROM t");
    assert!(table.columns.is_empty());

    let table = create_table(pg_verified("CREATE TABLE t2 AS SELECT 1 WITH DATA"));
    assert_eq!(table.with_data, Some(true));

    let table = create_table(pg_verified("CREATE TABLE t2 AS SELECT 1"));
    assert_eq!(table.with_data, None);

    // PostgreSQL's list of column names (no types) before AS.
    let table = create_table(pg_verified(
        "CREATE TEMPORARY TABLE t2 (a, b) WITH (fillfactor = 70) ON COMMIT DROP AS SELECT 1, 2 WITH NO DATA",
    ));
    assert!(table.temporary);
    assert_eq!(
        table.columns,
        vec![
            ColumnDef {
                name: Ident::new("a"),
                data_type: DataType::Unspecified,
                options: vec![],
            },
            ColumnDef {
                name: Ident::new("b"),
                data_type: DataType::Unspecified,
                options: vec![],
            },
        ]
    );
    assert_eq!(table.on_commit, Some(OnCommit::Drop));
    assert_eq!(table.with_data, Some(false));
    assert!(table.query.is_some());

    // With types, as before.
    let table = create_table(pg_verified("CREATE TABLE t2 (a INT) AS SELECT 1"));
    assert_eq!(table.columns[0].data_type, DataType::Int(None));

    // Names alone are only for AS query; WITH DATA only after a query.
    pg_error("CREATE TABLE t2 (a, b)");
    pg_error("CREATE TABLE t2 (a INT) WITH NO DATA");
}

// 3. CREATE [ OR REPLACE ] [ TEMP ] [ RECURSIVE ] VIEW ... WITH (options) ... CHECK OPTION

#[test]
fn create_view_forms() {
    let view = create_view(pg_canonical(
        "CREATE OR REPLACE TEMP RECURSIVE VIEW v (n) AS SELECT 1",
        "CREATE OR REPLACE TEMPORARY RECURSIVE VIEW v (n) AS SELECT 1",
    ));
    assert!(view.or_replace && view.temporary && view.recursive && !view.materialized);
    assert_eq!(view.columns[0].name, Ident::new("n"));

    let view = create_view(pg_verified(
        "CREATE RECURSIVE VIEW nums (n) AS VALUES (1) UNION ALL SELECT n + 1 FROM nums WHERE n < 10",
    ));
    assert!(view.recursive && !view.or_replace && !view.temporary);

    let view = create_view(pg_verified(
        "CREATE VIEW v WITH (security_barrier) AS SELECT 1 WITH CASCADED CHECK OPTION",
    ));
    assert!(!view.recursive);
    assert_eq!(view.check_option, Some(ViewCheckOption::Cascaded));
    assert_eq!(
        view.options,
        CreateTableOptions::With(vec![SqlOption::Ident(Ident::new("security_barrier"))])
    );

    let view = create_view(pg_verified(
        "CREATE VIEW v WITH (security_barrier = true, check_option = local, security_invoker) AS SELECT a FROM t WITH LOCAL CHECK OPTION",
    ));
    assert_eq!(view.check_option, Some(ViewCheckOption::Local));
    match &view.options {
        CreateTableOptions::With(options) => {
            assert_eq!(options.len(), 3);
            assert!(
                matches!(&options[0], SqlOption::KeyValue { key, .. } if key.value == "security_barrier")
            );
            assert!(
                matches!(&options[1], SqlOption::KeyValue { key, .. } if key.value == "check_option")
            );
            assert_eq!(options[2], SqlOption::Ident(Ident::new("security_invoker")));
        }
        other => panic!("{other:?}"),
    }

    // WITH CHECK OPTION is CASCADED in PostgreSQL's grammar.
    let view = create_view(pg_canonical(
        "CREATE VIEW v AS SELECT 1 WITH CHECK OPTION",
        "CREATE VIEW v AS SELECT 1 WITH CASCADED CHECK OPTION",
    ));
    assert_eq!(view.check_option, Some(ViewCheckOption::Cascaded));

    // The query may start with WITH.
    let view = create_view(pg_verified(
        "CREATE VIEW v AS WITH cte AS (SELECT 1) SELECT * FROM cte",
    ));
    assert_eq!(view.check_option, None);
    assert_eq!(
        view.query.to_string(),
        "WITH cte AS (SELECT 1) SELECT * FROM cte"
    );

    // CHECK OPTION is not a materialized view's.
    pg_error("CREATE MATERIALIZED VIEW v AS SELECT 1 WITH CHECK OPTION");
    // RECURSIVE is a view's only.
    pg_error("CREATE RECURSIVE TABLE t (a INT)");
}

#[test]
fn valueless_table_options() {
    let table = create_table(pg_verified(
        "CREATE TABLE t (a INT) WITH (fillfactor = 70, autovacuum_enabled)",
    ));
    match &table.table_options {
        CreateTableOptions::With(options) => {
            assert_eq!(
                options[1],
                SqlOption::Ident(Ident::new("autovacuum_enabled"))
            );
        }
        other => panic!("{other:?}"),
    }
}

// 4. CREATE DOMAIN constraints

fn create_domain(statement: Statement) -> CreateDomain {
    match statement {
        Statement::CreateDomain(domain) => domain,
        other => panic!("not CREATE DOMAIN: {other:?}"),
    }
}

#[test]
fn create_domain_constraints() {
    let domain = create_domain(pg_canonical(
        "CREATE DOMAIN posint AS int CHECK (VALUE > 0) NOT NULL",
        "CREATE DOMAIN posint AS INT CHECK (VALUE > 0) NOT NULL",
    ));
    assert_eq!(domain.name, name(&["posint"]));
    assert_eq!(domain.data_type, DataType::Int(None));
    assert_eq!(domain.constraints.len(), 1);
    assert_eq!(domain.constraints[0].to_string(), "CHECK (VALUE > 0)");
    assert_eq!(
        domain.null_constraints,
        vec![DomainNullConstraint {
            name: None,
            not_null: true
        }]
    );

    // AS is optional, and NOT NULL may come before DEFAULT.
    let domain = create_domain(pg_canonical(
        "CREATE DOMAIN d int NOT NULL DEFAULT 0",
        "CREATE DOMAIN d AS INT DEFAULT 0 NOT NULL",
    ));
    assert_eq!(domain.default.as_ref().unwrap().to_string(), "0");
    assert_eq!(domain.null_constraints.len(), 1);

    // NOT NULL after DEFAULT is a constraint, not `0 IS NOT NULL`.
    let domain = create_domain(pg_verified("CREATE DOMAIN d AS INT DEFAULT 0 NOT NULL"));
    assert_eq!(domain.default.as_ref().unwrap().to_string(), "0");
    assert!(domain.null_constraints[0].not_null);

    // Named constraints, in any order.
    let domain = create_domain(pg_canonical(
        "CREATE DOMAIN d AS text COLLATE \"C\" CONSTRAINT nn NOT NULL CONSTRAINT pos CHECK (length(VALUE) > 0) NULL CHECK (VALUE <> 'x')",
        "CREATE DOMAIN d AS TEXT COLLATE \"C\" CONSTRAINT pos CHECK (length(VALUE) > 0) CHECK (VALUE <> 'x') CONSTRAINT nn NOT NULL NULL",
    ));
    assert_eq!(domain.collation, Some(Ident::with_quote('"', "C")));
    assert_eq!(domain.constraints.len(), 2);
    match &domain.constraints[0] {
        TableConstraint::Check(check) => {
            assert_eq!(check.name, Some(Ident::new("pos")));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        domain.null_constraints,
        vec![
            DomainNullConstraint {
                name: Some(Ident::new("nn")),
                not_null: true
            },
            DomainNullConstraint {
                name: None,
                not_null: false
            },
        ]
    );

    // DEFAULT and COLLATE after constraints.
    let domain = create_domain(pg_canonical(
        "CREATE DOMAIN d AS varchar(10) CHECK (VALUE <> '') DEFAULT 'a' COLLATE \"C\"",
        "CREATE DOMAIN d AS VARCHAR(10) COLLATE \"C\" DEFAULT 'a' CHECK (VALUE <> '')",
    ));
    assert!(domain.collation.is_some() && domain.default.is_some());
    assert!(domain.null_constraints.is_empty());

    pg_error("CREATE DOMAIN d AS INT DEFAULT 1 DEFAULT 2");
    pg_error("CREATE DOMAIN d AS TEXT COLLATE \"C\" COLLATE \"C\"");
    pg_error("CREATE DOMAIN d AS INT CONSTRAINT c");
}

// 5. COMMENT ON

fn comment(
    statement: Statement,
) -> (
    CommentObject,
    ObjectName,
    Option<String>,
    Option<Vec<OperateFunctionArg>>,
    Option<CommentConstraintOn>,
) {
    match statement {
        Statement::Comment {
            object_type,
            object_name,
            comment,
            if_exists: _,
            arguments,
            constraint_on,
        } => (object_type, object_name, comment, arguments, constraint_on),
        other => panic!("not COMMENT: {other:?}"),
    }
}

#[test]
fn comment_on_function() {
    let (object_type, object_name, text, arguments, on) = comment(pg_canonical(
        "COMMENT ON FUNCTION f(int, text) IS 'adds'",
        "COMMENT ON FUNCTION f(INT, TEXT) IS 'adds'",
    ));
    assert_eq!(object_type, CommentObject::Function);
    assert_eq!(object_name, name(&["f"]));
    assert_eq!(text.as_deref(), Some("adds"));
    assert_eq!(
        arguments,
        Some(vec![
            OperateFunctionArg::unnamed(DataType::Int(None)),
            OperateFunctionArg::unnamed(DataType::Text),
        ])
    );
    assert_eq!(on, None);

    let (object_type, _, text, arguments, _) = comment(pg_canonical(
        "COMMENT ON PROCEDURE s.p(IN a int) IS NULL",
        "COMMENT ON PROCEDURE s.p(IN a INT) IS NULL",
    ));
    assert_eq!(object_type, CommentObject::Procedure);
    assert_eq!(text, None);
    let arguments = arguments.unwrap();
    assert_eq!(arguments[0].mode, Some(ArgMode::In));
    assert_eq!(arguments[0].name, Some(Ident::new("a")));

    let (_, _, _, arguments, _) = comment(pg_verified("COMMENT ON FUNCTION f() IS 'x'"));
    assert_eq!(arguments, Some(vec![]));
    let (_, _, _, arguments, _) = comment(pg_verified("COMMENT ON FUNCTION f IS 'x'"));
    assert_eq!(arguments, None);
}

#[test]
fn comment_on_objects() {
    for (sql, object_type) in [
        ("COMMENT ON TABLE s.t IS 'x'", CommentObject::Table),
        ("COMMENT ON COLUMN t.c IS 'x'", CommentObject::Column),
        ("COMMENT ON VIEW v IS 'x'", CommentObject::View),
        (
            "COMMENT ON MATERIALIZED VIEW mv IS 'x'",
            CommentObject::MaterializedView,
        ),
        ("COMMENT ON INDEX i IS 'x'", CommentObject::Index),
        ("COMMENT ON TYPE ty IS 'x'", CommentObject::Type),
        ("COMMENT ON SEQUENCE sq IS 'x'", CommentObject::Sequence),
        ("COMMENT ON SCHEMA s IS 'x'", CommentObject::Schema),
        ("COMMENT ON DATABASE d IS 'x'", CommentObject::Database),
        ("COMMENT ON EXTENSION e IS 'x'", CommentObject::Extension),
        ("COMMENT ON DOMAIN d IS NULL", CommentObject::Domain),
    ] {
        let (found, _, _, arguments, on) = comment(pg_verified(sql));
        assert_eq!(found, object_type, "{sql}");
        assert_eq!((arguments, on), (None, None), "{sql}");
    }
    let (_, object_name, _, _, _) = comment(pg_verified("COMMENT ON COLUMN s.t.c IS 'x'"));
    assert_eq!(object_name, name(&["s", "t", "c"]));

    // A quote in the text is doubled again.
    let (_, _, text, _, _) = comment(pg_verified("COMMENT ON TABLE t IS 'it''s'"));
    assert_eq!(text.as_deref(), Some("it's"));
}

#[test]
fn comment_on_constraint() {
    let (object_type, object_name, text, arguments, on) =
        comment(pg_verified("COMMENT ON CONSTRAINT c ON s.t IS 'positive'"));
    assert_eq!(object_type, CommentObject::Constraint);
    assert_eq!(object_name, name(&["c"]));
    assert_eq!(text.as_deref(), Some("positive"));
    assert_eq!(arguments, None);
    assert_eq!(on, Some(CommentConstraintOn::Table(name(&["s", "t"]))));

    let (_, _, text, _, on) = comment(pg_verified("COMMENT ON CONSTRAINT c ON DOMAIN d IS NULL"));
    assert_eq!(text, None);
    assert_eq!(on, Some(CommentConstraintOn::Domain(name(&["d"]))));

    pg_error("COMMENT ON CONSTRAINT c IS 'x'");
}

// 6. CREATE TABLE (LIKE ...)

#[test]
fn create_table_like_options() {
    let table = create_table(pg_verified(
        "CREATE TABLE t2 (LIKE t INCLUDING ALL EXCLUDING COMMENTS, other_col INT)",
    ));
    let Some(CreateTableLikeKind::Elements(elements)) = &table.like else {
        panic!("{:?}", table.like);
    };
    assert_eq!(
        elements,
        &vec![CreateTableLikeElement {
            position: 0,
            like: CreateTableLike {
                name: name(&["t"]),
                defaults: None,
                options: vec![
                    CreateTableLikeOption {
                        including: true,
                        kind: CreateTableLikeOptionKind::All,
                    },
                    CreateTableLikeOption {
                        including: false,
                        kind: CreateTableLikeOptionKind::Comments,
                    },
                ],
            },
        }]
    );
    assert_eq!(table.columns.len(), 1);
    assert_eq!(table.columns[0].name, Ident::new("other_col"));

    // Every option.
    let table = create_table(pg_canonical(
        "CREATE TABLE t2 (LIKE t including comments including compression including constraints including defaults including generated including identity including indexes including statistics including storage excluding all)",
        "CREATE TABLE t2 (LIKE t INCLUDING COMMENTS INCLUDING COMPRESSION INCLUDING CONSTRAINTS INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING INDEXES INCLUDING STATISTICS INCLUDING STORAGE EXCLUDING ALL)",
    ));
    let Some(CreateTableLikeKind::Parenthesized(like)) = &table.like else {
        panic!("{:?}", table.like);
    };
    assert_eq!(
        like.options.iter().map(|o| o.kind).collect::<Vec<_>>(),
        vec![
            CreateTableLikeOptionKind::Comments,
            CreateTableLikeOptionKind::Compression,
            CreateTableLikeOptionKind::Constraints,
            CreateTableLikeOptionKind::Defaults,
            CreateTableLikeOptionKind::Generated,
            CreateTableLikeOptionKind::Identity,
            CreateTableLikeOptionKind::Indexes,
            CreateTableLikeOptionKind::Statistics,
            CreateTableLikeOptionKind::Storage,
            CreateTableLikeOptionKind::All,
        ]
    );
    assert_eq!(like.defaults, None);
    assert!(!like.options.last().unwrap().including);

    // Several LIKEs among columns and constraints, each at its place.
    let table = create_table(pg_canonical(
        "CREATE TABLE t2 (a int, LIKE t INCLUDING ALL, b int, LIKE u, CONSTRAINT c CHECK (a > 0), LIKE w EXCLUDING INDEXES)",
        "CREATE TABLE t2 (a INT, LIKE t INCLUDING ALL, b INT, LIKE u, LIKE w EXCLUDING INDEXES, CONSTRAINT c CHECK (a > 0))",
    ));
    let likes = table.parenthesized_likes();
    assert_eq!(
        likes
            .iter()
            .map(|(position, like)| (*position, like.name.to_string()))
            .collect::<Vec<_>>(),
        vec![
            (1, "t".to_string()),
            (2, "u".to_string()),
            (2, "w".to_string())
        ]
    );
    assert_eq!(table.columns.len(), 2);
    assert_eq!(table.constraints.len(), 1);

    // A lone LIKE with a lone DEFAULTS option is what it was before the options.
    let table = create_table(pg_verified("CREATE TABLE t2 (LIKE t INCLUDING DEFAULTS)"));
    let Some(CreateTableLikeKind::Parenthesized(like)) = &table.like else {
        panic!("{:?}", table.like);
    };
    assert_eq!(like.defaults, Some(CreateTableLikeDefaults::Including));
    assert!(like.options.is_empty());
    assert_eq!(
        like.all_options(),
        vec![CreateTableLikeOption {
            including: true,
            kind: CreateTableLikeOptionKind::Defaults,
        }]
    );
    let table = create_table(pg_verified("CREATE TABLE t2 (LIKE t)"));
    assert_eq!(table.parenthesized_likes().len(), 1);
    assert!(table.columns.is_empty());

    // Redshift's form is as before.
    let statements = Parser::parse_sql(
        &RedshiftSqlDialect {},
        "CREATE TABLE t2 (LIKE t EXCLUDING DEFAULTS)",
    )
    .unwrap();
    let table = create_table(statements[0].clone());
    assert_eq!(
        table.like,
        Some(CreateTableLikeKind::Parenthesized(CreateTableLike {
            name: name(&["t"]),
            defaults: Some(CreateTableLikeDefaults::Excluding),
            options: vec![],
        }))
    );

    pg_error("CREATE TABLE t2 (LIKE t INCLUDING)");
    pg_error("CREATE TABLE t2 (LIKE t INCLUDING EVERYTHING)");
}

// 7. ALTER TABLE SET SCHEMA, ALTER [ MATERIALIZED ] VIEW

fn alter_table(statement: Statement) -> AlterTable {
    match statement {
        Statement::AlterTable(alter) => alter,
        other => panic!("not ALTER TABLE: {other:?}"),
    }
}

fn alter_view(statement: Statement) -> AlterTable {
    match statement {
        Statement::AlterViewOperations(alter) => alter,
        other => panic!("not ALTER VIEW: {other:?}"),
    }
}

#[test]
fn alter_table_set_schema() {
    let alter = alter_table(pg_verified("ALTER TABLE IF EXISTS s.t SET SCHEMA u"));
    assert!(alter.if_exists);
    assert_eq!(alter.name, name(&["s", "t"]));
    assert_eq!(alter.table_type, None);
    assert_eq!(
        alter.operations,
        vec![AlterTableOperation::SetSchema {
            schema_name: Ident::new("u")
        }]
    );
    let alter = alter_table(pg_verified("ALTER TABLE t SET SCHEMA \"New\""));
    assert_eq!(
        alter.operations,
        vec![AlterTableOperation::SetSchema {
            schema_name: Ident::with_quote('"', "New")
        }]
    );
    // SET (options) is as before.
    let alter = alter_table(pg_verified("ALTER TABLE t SET (fillfactor = 70)"));
    assert!(matches!(
        alter.operations[0],
        AlterTableOperation::SetOptionsParens { .. }
    ));
    // SET SCHEMA is a statement of its own in PostgreSQL's grammar.
    pg_error("ALTER TABLE t SET SCHEMA s, ADD COLUMN b INT");
    pg_error("ALTER TABLE t SET SCHEMA a.b");
}

#[test]
fn alter_view_and_materialized_view() {
    let alter = alter_view(pg_verified("ALTER VIEW v RENAME TO w"));
    assert_eq!(alter.table_type, Some(AlterTableType::View));
    assert!(!alter.if_exists);
    assert_eq!(alter.name, name(&["v"]));
    assert_eq!(
        alter.operations,
        vec![AlterTableOperation::RenameTable {
            table_name: RenameTableNameKind::To(name(&["w"]))
        }]
    );

    let alter = alter_view(pg_canonical(
        "ALTER VIEW IF EXISTS s.v RENAME a TO b",
        "ALTER VIEW IF EXISTS s.v RENAME COLUMN a TO b",
    ));
    assert!(alter.if_exists);
    assert_eq!(
        alter.operations,
        vec![AlterTableOperation::RenameColumn {
            old_column_name: Ident::new("a"),
            new_column_name: Ident::new("b"),
        }]
    );

    let alter = alter_view(pg_verified("ALTER VIEW v SET SCHEMA s"));
    assert_eq!(
        alter.operations,
        vec![AlterTableOperation::SetSchema {
            schema_name: Ident::new("s")
        }]
    );
    let alter = alter_view(pg_verified("ALTER VIEW v OWNER TO CURRENT_USER"));
    assert_eq!(
        alter.operations,
        vec![AlterTableOperation::OwnerTo {
            new_owner: Owner::CurrentUser
        }]
    );
    let alter = alter_view(pg_verified("ALTER VIEW v ALTER COLUMN a SET DEFAULT 1"));
    assert!(matches!(
        alter.operations[0],
        AlterTableOperation::AlterColumn { .. }
    ));
    let alter = alter_view(pg_verified("ALTER VIEW v SET (security_barrier)"));
    assert!(matches!(
        alter.operations[0],
        AlterTableOperation::SetOptionsParens { .. }
    ));

    for (sql, operation) in [
        (
            "ALTER MATERIALIZED VIEW mv RENAME TO mw",
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::To(name(&["mw"])),
            },
        ),
        (
            "ALTER MATERIALIZED VIEW IF EXISTS mv RENAME COLUMN a TO b",
            AlterTableOperation::RenameColumn {
                old_column_name: Ident::new("a"),
                new_column_name: Ident::new("b"),
            },
        ),
        (
            "ALTER MATERIALIZED VIEW mv SET SCHEMA s",
            AlterTableOperation::SetSchema {
                schema_name: Ident::new("s"),
            },
        ),
        (
            "ALTER MATERIALIZED VIEW IF EXISTS mv OWNER TO r",
            AlterTableOperation::OwnerTo {
                new_owner: Owner::Ident(Ident::new("r")),
            },
        ),
    ] {
        let alter = alter_view(pg_verified(sql));
        assert_eq!(
            alter.table_type,
            Some(AlterTableType::MaterializedView),
            "{sql}"
        );
        assert_eq!(alter.if_exists, sql.contains("IF EXISTS"), "{sql}");
        assert_eq!(alter.operations, vec![operation], "{sql}");
    }

    // The redefinition form of other dialects is as before.
    let statements = Parser::parse_sql(&GenericDialect {}, "ALTER VIEW v (a) AS SELECT 1").unwrap();
    assert!(matches!(statements[0], Statement::AlterView { .. }));
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, "ALTER VIEW v AS SELECT 1").unwrap();
    assert!(matches!(statements[0], Statement::AlterView { .. }));

    pg_error("ALTER VIEW v");
    pg_error("ALTER MATERIALIZED v RENAME TO w");
}

// 8. VACUUM and ANALYZE

fn vacuum(statement: Statement) -> VacuumStatement {
    match statement {
        Statement::Vacuum(vacuum) => vacuum,
        other => panic!("not VACUUM: {other:?}"),
    }
}

fn analyze(statement: Statement) -> Analyze {
    match statement {
        Statement::Analyze(analyze) => analyze,
        other => panic!("not ANALYZE: {other:?}"),
    }
}

fn option(name: &str, arg: Option<&str>) -> String {
    match arg {
        Some(arg) => format!("{name} {arg}"),
        None => name.to_string(),
    }
}

#[test]
fn vacuum_forms() {
    let v = vacuum(pg_verified("VACUUM"));
    assert!(v.options.is_empty() && v.table_name.is_none() && v.more_tables.is_empty());
    assert!(!v.full && !v.freeze && !v.verbose && !v.analyze);

    let v = vacuum(pg_verified("VACUUM ANALYZE t"));
    assert!(v.analyze && !v.full && !v.verbose && !v.freeze);
    assert_eq!(v.table_name, Some(name(&["t"])));

    let v = vacuum(pg_verified(
        "VACUUM FULL FREEZE VERBOSE ANALYZE s.t (a, b), u",
    ));
    assert!(v.full && v.freeze && v.verbose && v.analyze);
    assert_eq!(v.table_name, Some(name(&["s", "t"])));
    assert_eq!(v.columns, idents(&["a", "b"]));
    assert_eq!(
        v.more_tables,
        vec![TableAndColumns {
            name: name(&["u"]),
            columns: vec![],
        }]
    );

    let v = vacuum(pg_verified("VACUUM (VERBOSE, ANALYZE) t"));
    assert_eq!(
        v.options.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        vec![option("VERBOSE", None), option("ANALYZE", None)]
    );
    assert!(!v.verbose && !v.analyze);
    assert_eq!(v.table_name, Some(name(&["t"])));

    let v = vacuum(pg_verified(
        "VACUUM (FULL, FREEZE, SKIP_LOCKED, INDEX_CLEANUP AUTO, INDEX_CLEANUP ON, INDEX_CLEANUP OFF, PARALLEL 4, TRUNCATE false, PROCESS_TOAST true, SKIP_LOCKED false) t (a), u (b, c), w",
    ));
    assert_eq!(v.options.len(), 10);
    assert_eq!(v.options[3].name, Ident::new("INDEX_CLEANUP"));
    assert_eq!(v.options[3].arg.as_ref().unwrap().to_string(), "AUTO");
    assert_eq!(v.options[4].arg.as_ref().unwrap().to_string(), "ON");
    assert_eq!(v.options[6].name, Ident::new("PARALLEL"));
    assert_eq!(v.options[6].arg.as_ref().unwrap().to_string(), "4");
    assert_eq!(v.options[7].arg.as_ref().unwrap().to_string(), "false");
    assert!(!v.full && !v.freeze);
    assert_eq!(v.columns, idents(&["a"]));
    assert_eq!(
        v.more_tables,
        vec![
            TableAndColumns {
                name: name(&["u"]),
                columns: idents(&["b", "c"]),
            },
            TableAndColumns {
                name: name(&["w"]),
                columns: vec![],
            },
        ]
    );

    // No keywords after the options list, as in PostgreSQL's grammar.
    pg_error("VACUUM (VERBOSE) FULL t");
    pg_error("VACUUM t ()");
}

#[test]
fn analyze_forms() {
    let a = analyze(pg_verified("ANALYZE"));
    assert!(a.table_name.is_none() && !a.verbose && a.options.is_empty());

    let a = analyze(pg_verified("ANALYZE t (a, b)"));
    assert_eq!(a.table_name, Some(name(&["t"])));
    assert_eq!(a.columns, idents(&["a", "b"]));
    assert!(a.more_tables.is_empty());

    let a = analyze(pg_verified("ANALYZE VERBOSE t, s.u (a)"));
    assert!(a.verbose);
    assert_eq!(a.table_name, Some(name(&["t"])));
    assert!(a.columns.is_empty());
    assert_eq!(
        a.more_tables,
        vec![TableAndColumns {
            name: name(&["s", "u"]),
            columns: idents(&["a"]),
        }]
    );

    let a = analyze(pg_verified("ANALYZE VERBOSE"));
    assert!(a.verbose && a.table_name.is_none());

    let a = analyze(pg_verified(
        "ANALYZE (VERBOSE false, SKIP_LOCKED) t (a), u, w (b)",
    ));
    assert_eq!(
        a.options.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        vec![
            option("VERBOSE", Some("false")),
            option("SKIP_LOCKED", None)
        ]
    );
    assert!(!a.verbose);
    assert_eq!(a.columns, idents(&["a"]));
    assert_eq!(a.more_tables.len(), 2);
    assert_eq!(a.more_tables[1].columns, idents(&["b"]));

    pg_error("ANALYZE (VERBOSE) VERBOSE t");
    pg_error("ANALYZE t,");
}

// 9. DROP DATABASE ... WITH (FORCE)

#[test]
fn drop_database_force() {
    let drop = |statement: Statement| match statement {
        Statement::Drop {
            object_type,
            if_exists,
            names,
            force,
            ..
        } => (object_type, if_exists, names, force),
        other => panic!("not DROP: {other:?}"),
    };
    assert_eq!(
        drop(pg_verified("DROP DATABASE IF EXISTS d WITH (FORCE)")),
        (ObjectType::Database, true, vec![name(&["d"])], true)
    );
    assert_eq!(
        drop(pg_canonical(
            "DROP DATABASE d (force)",
            "DROP DATABASE d WITH (FORCE)"
        )),
        (ObjectType::Database, false, vec![name(&["d"])], true)
    );
    assert_eq!(
        drop(pg_canonical(
            "DROP DATABASE d WITH (FORCE, FORCE)",
            "DROP DATABASE d WITH (FORCE)"
        )),
        (ObjectType::Database, false, vec![name(&["d"])], true)
    );
    assert_eq!(
        drop(pg_verified("DROP DATABASE d")),
        (ObjectType::Database, false, vec![name(&["d"])], false)
    );
    assert_eq!(
        drop(pg_verified("DROP TABLE t CASCADE")),
        (ObjectType::Table, false, vec![name(&["t"])], false)
    );
    pg_error("DROP DATABASE d WITH (QUICKLY)");
    pg_error("DROP DATABASE d WITH ()");
    pg_error("DROP TABLE t WITH (FORCE)");
}

// The other forms checked

#[test]
fn alter_type_forms() {
    let alter = |statement: Statement| match statement {
        Statement::AlterType(alter) => alter,
        other => panic!("not ALTER TYPE: {other:?}"),
    };
    let a = alter(pg_verified(
        "ALTER TYPE ty ADD VALUE IF NOT EXISTS 'v' BEFORE 'w'",
    ));
    assert_eq!(a.name, name(&["ty"]));
    assert_eq!(
        a.operation,
        AlterTypeOperation::AddValue(AlterTypeAddValue {
            if_not_exists: true,
            value: Ident::with_quote('\'', "v"),
            position: Some(AlterTypeAddValuePosition::Before(Ident::with_quote(
                '\'', "w"
            ))),
        })
    );
    let a = alter(pg_verified("ALTER TYPE ty ADD VALUE 'v' AFTER 'w'"));
    assert_eq!(
        a.operation,
        AlterTypeOperation::AddValue(AlterTypeAddValue {
            if_not_exists: false,
            value: Ident::with_quote('\'', "v"),
            position: Some(AlterTypeAddValuePosition::After(Ident::with_quote(
                '\'', "w"
            ))),
        })
    );
    let a = alter(pg_verified("ALTER TYPE ty ADD VALUE 'v'"));
    assert!(matches!(
        a.operation,
        AlterTypeOperation::AddValue(AlterTypeAddValue { position: None, .. })
    ));
    let a = alter(pg_verified("ALTER TYPE ty RENAME VALUE 'a' TO 'b'"));
    assert_eq!(
        a.operation,
        AlterTypeOperation::RenameValue(AlterTypeRenameValue {
            from: Ident::with_quote('\'', "a"),
            to: Ident::with_quote('\'', "b"),
        })
    );
    let a = alter(pg_verified("ALTER TYPE s.ty RENAME TO n"));
    assert_eq!(a.name, name(&["s", "ty"]));
    assert_eq!(
        a.operation,
        AlterTypeOperation::Rename(AlterTypeRename {
            new_name: Ident::new("n")
        })
    );
}

#[test]
fn create_type_forms() {
    match pg_verified("CREATE TYPE ty AS ENUM ('a', 'b')") {
        Statement::CreateType {
            name: type_name,
            representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
        } => {
            assert_eq!(type_name, name(&["ty"]));
            assert_eq!(
                labels,
                vec![Ident::with_quote('\'', "a"), Ident::with_quote('\'', "b")]
            );
        }
        other => panic!("{other:?}"),
    }
    match pg_canonical(
        "CREATE TYPE ty AS (x int, y text)",
        "CREATE TYPE ty AS (x INT, y TEXT)",
    ) {
        Statement::CreateType {
            representation: Some(UserDefinedTypeRepresentation::Composite { attributes }),
            ..
        } => {
            assert_eq!(attributes.len(), 2);
            assert_eq!(attributes[0].name, Ident::new("x"));
            assert_eq!(attributes[0].data_type, DataType::Int(None));
            assert_eq!(attributes[1].data_type, DataType::Text);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn drop_type_domain_extension() {
    match pg_verified("DROP TYPE IF EXISTS a, b CASCADE") {
        Statement::Drop {
            object_type: ObjectType::Type,
            if_exists: true,
            names,
            cascade: true,
            restrict: false,
            ..
        } => assert_eq!(names, vec![name(&["a"]), name(&["b"])]),
        other => panic!("{other:?}"),
    }
    match pg_verified("DROP DOMAIN d") {
        Statement::DropDomain(drop) => assert_eq!(
            drop,
            DropDomain {
                if_exists: false,
                name: name(&["d"]),
                drop_behavior: None,
                more_names: vec![],
            }
        ),
        other => panic!("{other:?}"),
    }
    match pg_verified("DROP DOMAIN IF EXISTS d, s.e CASCADE") {
        Statement::DropDomain(drop) => assert_eq!(
            drop,
            DropDomain {
                if_exists: true,
                name: name(&["d"]),
                drop_behavior: Some(DropBehavior::Cascade),
                more_names: vec![name(&["s", "e"])],
            }
        ),
        other => panic!("{other:?}"),
    }
    match pg_verified("DROP EXTENSION IF EXISTS a CASCADE") {
        Statement::DropExtension(drop) => {
            assert!(drop.if_exists);
            assert_eq!(drop.names, idents(&["a"]));
            assert_eq!(drop.cascade_or_restrict, Some(ReferentialAction::Cascade));
        }
        other => panic!("{other:?}"),
    }
    match pg_verified("DROP EXTENSION a, b RESTRICT") {
        Statement::DropExtension(drop) => {
            assert!(!drop.if_exists);
            assert_eq!(drop.names, idents(&["a", "b"]));
            assert_eq!(drop.cascade_or_restrict, Some(ReferentialAction::Restrict));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn create_extension_forms() {
    let extension = |statement: Statement| match statement {
        Statement::CreateExtension(extension) => extension,
        other => panic!("not CREATE EXTENSION: {other:?}"),
    };
    let e = extension(pg_verified(
        "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA s VERSION v CASCADE",
    ));
    assert_eq!(
        e,
        CreateExtension {
            name: Ident::with_quote('"', "uuid-ossp"),
            if_not_exists: true,
            cascade: true,
            schema: Some(Ident::new("s")),
            version: Some(Ident::new("v")),
        }
    );
    // WITH is optional, the options come in any order, a version may be a string.
    let e = extension(pg_canonical(
        "CREATE EXTENSION hstore VERSION '1.8' SCHEMA s",
        "CREATE EXTENSION hstore WITH SCHEMA s VERSION '1.8'",
    ));
    assert_eq!(e.version, Some(Ident::with_quote('\'', "1.8")));
    assert_eq!(e.schema, Some(Ident::new("s")));
    assert!(!e.cascade);
    let e = extension(pg_canonical(
        "CREATE EXTENSION e CASCADE",
        "CREATE EXTENSION e WITH CASCADE",
    ));
    assert!(e.cascade && e.schema.is_none());
    let e = extension(pg_verified("CREATE EXTENSION e"));
    assert!(!e.cascade && e.schema.is_none() && e.version.is_none());

    pg_error("CREATE EXTENSION e SCHEMA a SCHEMA b");
}

#[test]
fn create_temp_table_on_commit() {
    for (sql, on_commit) in [
        ("CREATE TEMP TABLE t (a int) ON COMMIT DROP", OnCommit::Drop),
        (
            "CREATE TEMP TABLE t (a int) ON COMMIT DELETE ROWS",
            OnCommit::DeleteRows,
        ),
        (
            "CREATE TEMPORARY TABLE t (a int) ON COMMIT PRESERVE ROWS",
            OnCommit::PreserveRows,
        ),
    ] {
        let table = create_table(pg(sql));
        assert!(table.temporary, "{sql}");
        assert_eq!(table.on_commit, Some(on_commit), "{sql}");
    }
}

#[test]
fn select_into_temp() {
    let into = |statement: Statement| match statement {
        Statement::Query(query) => match *query.body {
            SetExpr::Select(select) => select.into.unwrap(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let i = into(pg_canonical(
        "SELECT * INTO TEMP t3 FROM t",
        "SELECT * INTO TEMPORARY t3 FROM t",
    ));
    assert!(i.temporary && !i.unlogged && !i.table);
    assert_eq!(i.name, name(&["t3"]));
    let i = into(pg_verified("SELECT * INTO TEMPORARY TABLE t3 FROM t"));
    assert!(i.temporary && i.table);
    let i = into(pg_verified("SELECT * INTO UNLOGGED t3 FROM t"));
    assert!(i.unlogged && !i.temporary);
}

#[test]
fn alter_column_type() {
    let op = |sql: &str, canonical: &str| {
        let alter = alter_table(pg_canonical(sql, canonical));
        match alter.operations.into_iter().next().unwrap() {
            AlterTableOperation::AlterColumn { column_name, op } => (column_name, op),
            other => panic!("{other:?}"),
        }
    };
    let (column, o) = op(
        "ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint USING a::bigint",
        "ALTER TABLE t ALTER COLUMN a SET DATA TYPE BIGINT USING a::BIGINT",
    );
    assert_eq!(column, Ident::new("a"));
    match o {
        AlterColumnOperation::SetDataType {
            data_type,
            using,
            had_set,
        } => {
            assert_eq!(data_type, DataType::BigInt(None));
            assert_eq!(using.unwrap().to_string(), "a::BIGINT");
            assert!(had_set);
        }
        other => panic!("{other:?}"),
    }
    let (_, o) = op(
        "ALTER TABLE t ALTER a TYPE bigint",
        "ALTER TABLE t ALTER COLUMN a TYPE BIGINT",
    );
    match o {
        AlterColumnOperation::SetDataType {
            data_type,
            using,
            had_set,
        } => {
            assert_eq!(data_type, DataType::BigInt(None));
            assert!(using.is_none() && !had_set);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_dialects_unchanged() {
    use crate::dialect::{HiveDialect, MsSqlDialect, SnowflakeDialect};
    for (dialect, sql) in [
        (
            &RedshiftSqlDialect {} as &dyn crate::dialect::Dialect,
            "VACUUM FULL t TO 75 PERCENT BOOST",
        ),
        (&RedshiftSqlDialect {}, "VACUUM DELETE ONLY t"),
        (
            &RedshiftSqlDialect {},
            "CREATE VIEW v AS SELECT 1 WITH NO SCHEMA BINDING",
        ),
        (&SnowflakeDialect {}, "COMMENT IF EXISTS ON TABLE t IS 'x'"),
        (&SnowflakeDialect {}, "CREATE TABLE t LIKE s"),
        (
            &HiveDialect {},
            "ANALYZE TABLE t PARTITION (a) COMPUTE STATISTICS",
        ),
        (&GenericDialect {}, "CREATE TABLE t (a INT) AS SELECT 1"),
        (
            &GenericDialect {},
            "VACUUM FULL SORT ONLY DELETE ONLY REINDEX RECLUSTER tbl TO 75 PERCENT BOOST",
        ),
        (&MsSqlDialect {}, "CREATE TABLE t (a INT) WITH (HEAP)"),
        (
            &GenericDialect {},
            "CREATE DOMAIN my_domain AS INTEGER COLLATE \"en_US\" DEFAULT 1 CONSTRAINT my_constraint CHECK (VALUE > 0)",
        ),
        (&HiveDialect {}, "ANALYZE TABLE t PARTITION (a) FOR COLUMNS"),
        (&GenericDialect {}, "ALTER VIEW myschema.myview AS SELECT foo FROM bar"),
        (&GenericDialect {}, "COMMENT ON COLUMN tab.name IS 'comment'"),
    ] {
        let statements = Parser::parse_sql(dialect, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(statements[0].to_string(), sql);
    }
    let statements =
        Parser::parse_sql(&RedshiftSqlDialect {}, "VACUUM FULL t TO 75 PERCENT BOOST").unwrap();
    match &statements[0] {
        Statement::Vacuum(v) => {
            assert!(v.full && v.boost && v.threshold.is_some());
            assert!(v.options.is_empty() && v.columns.is_empty() && v.more_tables.is_empty());
        }
        other => panic!("{other:?}"),
    }
}
