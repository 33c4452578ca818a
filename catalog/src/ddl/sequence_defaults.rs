//! Column defaults that name a sequence, kept naming it when ALTER SEQUENCE ... RENAME TO
//! renames it. PostgreSQL keeps the sequence's OID in a default (`nextval('s'::regclass)`),
//! so a rename changes nothing there; Shale keeps the name, as text
//! (`nextval(shale_regclass_in('s'))`, or `nextval('s')` as written), so the defaults that
//! name the sequence are rewritten with its new name.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value, visit_expressions_mut};
use shale_storage::Txn;

use crate::resolve::Scope;
use crate::descriptor::{SequenceDesc, TableDesc};
use crate::error::Result;
use crate::ident::{qualified, quote_ident};
use crate::meta;
use crate::sysfuncs::reg::name_parts;

/// Functions whose first argument, a text literal, names a sequence in a default.
const NAMING_FUNCTIONS: [&str; 2] = ["shale_regclass_in", "nextval"];

/// How a name in a default finds the renamed sequence.
struct Renaming<'a> {
    /// The sequence, under its new name.
    sequence: &'a SequenceDesc,
    /// Its schema's name.
    schema: String,
    /// The name it had.
    old: &'a str,
    /// For each schema of the search path that exists, in order: whether it is the
    /// sequence's schema (`true`), or has another sequence of the old name (`false`),
    /// which an unqualified name finds first.
    path: Vec<bool>,
}

/// Rewrites every column default that names `sequence` by its `old` name (qualified, or
/// unqualified as the search path finds it) to name it by its new one.
pub(super) fn rename(txn: &Txn, scope: &Scope, sequence: &SequenceDesc, old: &str) -> Result<()> {
    let schemas = meta::list_schemas(txn, scope.database_id)?;
    let Some(schema) = schemas.iter().find(|s| s.id == sequence.schema_id) else { return Ok(()) };
    let mut path = Vec::new();
    for name in scope.lookup_path() {
        let Some(s) = scope.get_schema(txn, name)? else { continue };
        if s.id == sequence.schema_id {
            path.push(true);
        } else if meta::get_sequence(txn, s.id, old)?.is_some() {
            path.push(false);
        }
    }
    let renaming = Renaming { sequence, schema: schema.name.clone(), old, path };
    for schema in &schemas {
        for mut table in meta::list_tables(txn, schema.id)? {
            if renaming.rewrite(&mut table) {
                meta::put_table(txn, &table)?;
            }
        }
    }
    Ok(())
}

impl Renaming<'_> {
    /// Rewrites the defaults of `table` that name the sequence; whether any did.
    fn rewrite(&self, table: &mut TableDesc) -> bool {
        let mut changed = false;
        for column in &mut table.columns {
            let Some(default) = column.default.as_deref() else { continue };
            if !NAMING_FUNCTIONS.iter().any(|f| default.contains(f)) {
                continue;
            }
            if let Some(rewritten) = self.rewrite_expr(default) {
                column.default = Some(rewritten);
                changed = true;
            }
        }
        changed
    }

    /// `default` naming the sequence by its new name, if it named it.
    fn rewrite_expr(&self, default: &str) -> Option<String> {
        let mut expr = shale_pgtypes::sql::parse_expr(default).ok()?;
        let mut changed = false;
        let _ = visit_expressions_mut(&mut expr, |e| {
            if let Some(literal) = naming_literal(e)
                && let Value::SingleQuotedString(text) = literal
                && let Some(renamed) = self.renamed(text)
            {
                *text = renamed;
                changed = true;
            }
            ControlFlow::<()>::Continue(())
        });
        changed.then(|| expr.to_string())
    }

    /// The text naming the sequence anew, when `text` names it.
    fn renamed(&self, text: &str) -> Option<String> {
        match name_parts(text).as_slice() {
            [name] if name == self.old && self.path.first() == Some(&true) => Some(quote_ident(&self.sequence.name)),
            [schema, name] | [_, schema, name] if *schema == self.schema && name == self.old => {
                Some(qualified(&self.schema, &self.sequence.name))
            }
            _ => None,
        }
    }
}

/// The text literal that is the first argument of a call of a [`NAMING_FUNCTIONS`] function.
fn naming_literal(e: &mut Expr) -> Option<&mut Value> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.0.last()?.as_ident()?.value.to_lowercase();
    if !NAMING_FUNCTIONS.contains(&name.as_str()) {
        return None;
    }
    let FunctionArguments::List(list) = &mut f.args else { return None };
    match list.args.first_mut()? {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) => Some(&mut v.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_pgtypes::types::SqlType;

    fn renaming<'a>(sequence: &'a SequenceDesc, path: Vec<bool>) -> Renaming<'a> {
        Renaming { sequence, schema: "public".into(), old: "t_id_seq", path }
    }

    fn sequence(name: &str) -> SequenceDesc {
        SequenceDesc {
            id: 1, schema_id: 2200, name: name.into(), ty: SqlType::Int8, increment: 1, min: 1, max: 10, start: 1, cache: 1,
            cycle: false, owned_by: None, storage: None, restart: None, comment: None,
        }
    }

    #[test]
    fn defaults_naming_the_sequence_name_it_anew() {
        let s = sequence("New Seq");
        let r = renaming(&s, vec![true]);
        assert_eq!(r.rewrite_expr("nextval(shale_regclass_in('t_id_seq'))").as_deref(), Some("nextval(shale_regclass_in('\"New Seq\"'))"));
        assert_eq!(r.rewrite_expr("nextval('public.t_id_seq') + 1").as_deref(), Some("nextval('public.\"New Seq\"') + 1"));
        assert_eq!(r.rewrite_expr("nextval(shale_regclass_in('other.t_id_seq'))"), None);
        assert_eq!(r.rewrite_expr("currval('t_id_seq')"), None);
        assert_eq!(r.rewrite_expr("nextval('u_id_seq')"), None);
        // Unqualified, the name finds another schema's sequence first.
        let shadowed = renaming(&s, vec![false, true]);
        assert_eq!(shadowed.rewrite_expr("nextval('t_id_seq')"), None);
        assert_eq!(shadowed.rewrite_expr("nextval('public.t_id_seq')").as_deref(), Some("nextval('public.\"New Seq\"')"));
    }
}
