//! The options of CREATE SEQUENCE, ALTER SEQUENCE and identity columns, applied to a
//! sequence's descriptor with PostgreSQL's defaults and checks, in the order of its
//! `init_params` (so that a statement with two faults reports the one PostgreSQL reports).

use datafusion::sql::sqlparser::ast::{AlterSequenceOption, DataType, Expr, ObjectName, SequenceOptions};

use crate::descriptor::SequenceDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::meta::SequencePosition;
use shale_pgtypes::types::SqlType;

/// The options a statement gives, each at most once (42601 for one given twice).
#[derive(Default)]
pub(super) struct Given<'a> {
    /// AS type.
    pub ty: Option<&'a DataType>,
    increment: Option<i64>,
    /// MINVALUE n (`Some(Some(n))`) or NO MINVALUE (`Some(None)`).
    min: Option<Option<i64>>,
    max: Option<Option<i64>>,
    start: Option<i64>,
    /// RESTART WITH n (`Some(Some(n))`) or RESTART (`Some(None)`, back to START).
    pub restart: Option<Option<i64>>,
    cache: Option<i64>,
    cycle: Option<bool>,
    /// OWNED BY table.column or NONE.
    pub owned_by: Option<&'a ObjectName>,
}

impl<'a> Given<'a> {
    /// The options of CREATE SEQUENCE or of an identity column.
    pub fn of_create(options: &[SequenceOptions]) -> Result<Given<'a>> {
        let mut given = Given::default();
        for option in options {
            given.take(option)?;
        }
        Ok(given)
    }

    /// The options of ALTER SEQUENCE.
    pub fn of_alter(options: &'a [AlterSequenceOption]) -> Result<Given<'a>> {
        let mut given = Given::default();
        for option in options {
            match option {
                AlterSequenceOption::Sequence(option) => given.take(option)?,
                AlterSequenceOption::As(ty) => once(&mut given.ty, ty)?,
                AlterSequenceOption::Restart(value, _) => once(&mut given.restart, value.as_ref().map(number).transpose()?)?,
                AlterSequenceOption::OwnedBy(owner) => once(&mut given.owned_by, owner)?,
            }
        }
        Ok(given)
    }

    fn take(&mut self, option: &SequenceOptions) -> Result<()> {
        match option {
            SequenceOptions::IncrementBy(e, _) => once(&mut self.increment, number(e)?),
            SequenceOptions::MinValue(e) => once(&mut self.min, e.as_ref().map(number).transpose()?),
            SequenceOptions::MaxValue(e) => once(&mut self.max, e.as_ref().map(number).transpose()?),
            SequenceOptions::StartWith(e, _) => once(&mut self.start, number(e)?),
            SequenceOptions::Cache(e) => once(&mut self.cache, number(e)?),
            SequenceOptions::Cycle(no) => once(&mut self.cycle, !no),
        }
    }
}

fn once<T>(slot: &mut Option<T>, value: T) -> Result<()> {
    match slot.replace(value) {
        Some(_) => Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "conflicting or redundant options")),
        None => Ok(()),
    }
}

/// An option's value: a whole number, as PostgreSQL reads it into a bigint.
fn number(e: &Expr) -> Result<i64> {
    let text: String = e.to_string().chars().filter(|c| !c.is_whitespace()).collect();
    text.parse().map_err(|_| {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(&text);
        match !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            true => CatalogError::new(sqlstate::OUT_OF_RANGE, format!("value \"{text}\" is out of range for type bigint")),
            false => CatalogError::new(sqlstate::INVALID_TEXT, format!("invalid input syntax for type bigint: \"{text}\"")),
        }
    })
}

/// The smallest and largest value of a sequence type; 22023 for a type a sequence cannot
/// have.
fn type_range(ty: &SqlType) -> Result<(i64, i64)> {
    match ty {
        SqlType::Int2 => Ok((i64::from(i16::MIN), i64::from(i16::MAX))),
        SqlType::Int4 => Ok((i64::from(i32::MIN), i64::from(i32::MAX))),
        SqlType::Int8 => Ok((i64::MIN, i64::MAX)),
        _ => Err(invalid("sequence type must be smallint, integer, or bigint".into())),
    }
}

fn invalid(message: String) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, message)
}

/// Applies `given` to `desc` and checks the result as PostgreSQL does. `init`: `desc` is a
/// new sequence, whose type is already set (bigint, or its column's) and whose other
/// options not given take their defaults; else an ALTER changes only what it gives (and
/// the bounds that were the old type's when AS changes the type). `position` is where the
/// sequence stands (where a new one starts); a RESTART moves it, and it must stay within
/// the bounds. OWNED BY is left to the caller.
pub(super) fn apply(desc: &mut SequenceDesc, given: &Given<'_>, init: bool, position: &mut SequencePosition) -> Result<()> {
    let (mut reset_min, mut reset_max) = (false, false);
    if let Some(ty) = given.ty {
        let ty = SqlType::from_ast(ty)?;
        type_range(&ty)?;
        if !init {
            let (old_min, old_max) = type_range(&desc.ty)?;
            reset_min = desc.min == old_min;
            reset_max = desc.max == old_max;
        }
        desc.ty = ty;
    }
    let (type_min, type_max) = type_range(&desc.ty)?;
    let type_name = desc.ty.pg_name();
    if let Some(increment) = given.increment {
        if increment == 0 {
            return Err(invalid("INCREMENT must not be zero".into()));
        }
        desc.increment = increment;
    } else if init {
        desc.increment = 1;
    }
    if let Some(cycle) = given.cycle {
        desc.cycle = cycle;
    } else if init {
        desc.cycle = false;
    }
    match given.max {
        Some(Some(max)) => desc.max = max,
        _ if init || given.max.is_some() || reset_max => desc.max = if desc.increment > 0 || reset_max { type_max } else { -1 },
        _ => {}
    }
    check_in_type("MAXVALUE", desc.max, (type_min, type_max), &type_name)?;
    match given.min {
        Some(Some(min)) => desc.min = min,
        _ if init || given.min.is_some() || reset_min => desc.min = if desc.increment < 0 || reset_min { type_min } else { 1 },
        _ => {}
    }
    check_in_type("MINVALUE", desc.min, (type_min, type_max), &type_name)?;
    if desc.min >= desc.max {
        return Err(invalid(format!("MINVALUE ({}) must be less than MAXVALUE ({})", desc.min, desc.max)));
    }
    if let Some(start) = given.start {
        desc.start = start;
    } else if init {
        desc.start = if desc.increment > 0 { desc.min } else { desc.max };
    }
    check_in_bounds("START", desc.start, desc)?;
    match given.restart {
        Some(value) => *position = SequencePosition { last: value.unwrap_or(desc.start), called: false },
        None if init => *position = SequencePosition { last: desc.start, called: false },
        None => {}
    }
    check_in_bounds("RESTART", position.last, desc)?;
    if let Some(cache) = given.cache {
        if cache <= 0 {
            return Err(invalid(format!("CACHE ({cache}) must be greater than zero")));
        }
        desc.cache = cache;
    } else if init {
        desc.cache = 1;
    }
    Ok(())
}

/// 22023 for a MINVALUE or MAXVALUE its type cannot hold.
fn check_in_type(what: &str, value: i64, (min, max): (i64, i64), type_name: &str) -> Result<()> {
    match (min..=max).contains(&value) {
        true => Ok(()),
        false => Err(invalid(format!("{what} ({value}) is out of range for sequence data type {type_name}"))),
    }
}

/// 22023 for a START or RESTART value outside the sequence's bounds.
fn check_in_bounds(what: &str, value: i64, desc: &SequenceDesc) -> Result<()> {
    if value < desc.min {
        return Err(invalid(format!("{what} value ({value}) cannot be less than MINVALUE ({})", desc.min)));
    }
    if value > desc.max {
        return Err(invalid(format!("{what} value ({value}) cannot be greater than MAXVALUE ({})", desc.max)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::ast::Statement;
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn created() -> SequenceDesc {
        let mut desc = SequenceDesc {
            id: 1, schema_id: 1, name: "s".into(), ty: SqlType::Int8, increment: 0, min: 0, max: 0, start: 0, cache: 0,
            cycle: false, owned_by: None, storage: None, restart: None, comment: None,
        };
        apply(&mut desc, &Given::default(), true, &mut SequencePosition { last: 0, called: false }).unwrap();
        desc
    }

    /// Applies the options of `ALTER SEQUENCE s <options>` to `desc` standing at `position`.
    fn alter(desc: &mut SequenceDesc, options: &str, position: &mut SequencePosition) -> Result<()> {
        let sql = format!("ALTER SEQUENCE s {options}");
        let statement = Parser::parse_sql(&PostgreSqlDialect {}, &sql).unwrap().remove(0);
        let Statement::AlterSequence(alter) = statement else { panic!("{sql} is not ALTER SEQUENCE") };
        let datafusion::sql::sqlparser::ast::AlterSequenceOperation::Options(options) = alter.operation else { panic!("no options") };
        apply(desc, &Given::of_alter(&options)?, false, position)
    }

    fn at(last: i64, called: bool) -> SequencePosition {
        SequencePosition { last, called }
    }

    #[test]
    fn alter_changes_only_what_it_gives() {
        let mut desc = created();
        let mut position = at(12, true);
        alter(&mut desc, "INCREMENT BY 10 CACHE 5", &mut position).unwrap();
        assert_eq!((desc.increment, desc.cache, desc.min, desc.max, desc.start), (10, 5, 1, i64::MAX, 1));
        assert_eq!(position, at(12, true));
        alter(&mut desc, "START 100 RESTART", &mut position).unwrap();
        assert_eq!((desc.start, position), (100, at(100, false)));
        alter(&mut desc, "RESTART WITH 7", &mut position).unwrap();
        assert_eq!(position, at(7, false));
    }

    #[test]
    fn a_new_type_takes_the_bounds_that_were_the_old_types() {
        let mut desc = created();
        let mut position = at(1, false);
        alter(&mut desc, "AS smallint", &mut position).unwrap();
        assert_eq!((desc.min, desc.max), (1, 32767));
        alter(&mut desc, "MAXVALUE 100 AS integer", &mut position).unwrap();
        assert_eq!((desc.ty.clone(), desc.max), (SqlType::Int4, 100));
        alter(&mut desc.clone(), "NO MAXVALUE INCREMENT -1", &mut position).unwrap_err();
        alter(&mut desc, "NO MINVALUE NO MAXVALUE INCREMENT -1 START -1 RESTART", &mut position).unwrap();
        assert_eq!((desc.min, desc.max, position), (i64::from(i32::MIN), -1, at(-1, false)));
    }

    #[test]
    fn alter_sequence_displays_as_written() {
        for sql in [
            "ALTER SEQUENCE IF EXISTS public.s AS INTEGER INCREMENT BY 5 NO MINVALUE MAXVALUE 9 START WITH 2 RESTART CACHE 3 NO CYCLE OWNED BY t.a",
            "ALTER SEQUENCE s RESTART WITH -4 OWNED BY NONE",
            "ALTER SEQUENCE s RENAME TO \"New\"",
            "INSERT INTO t (a) OVERRIDING USER VALUE SELECT 1",
        ] {
            let statement = Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap().remove(0);
            assert_eq!(statement.to_string(), sql);
        }
    }

    #[test]
    fn checks_in_postgresqls_order() {
        let message = |options: &str, position: SequencePosition| {
            alter(&mut created(), options, &mut { position }).unwrap_err().message.clone()
        };
        assert_eq!(message("MINVALUE 100", at(12, true)), "START value (1) cannot be less than MINVALUE (100)");
        assert_eq!(message("MAXVALUE 5", at(12, true)), "RESTART value (12) cannot be greater than MAXVALUE (5)");
        assert_eq!(message("MINVALUE 5 MAXVALUE 3", at(1, true)), "MINVALUE (5) must be less than MAXVALUE (3)");
        assert_eq!(message("RESTART 0", at(1, true)), "RESTART value (0) cannot be less than MINVALUE (1)");
        assert_eq!(message("AS smallint MAXVALUE 100000", at(1, true)), "MAXVALUE (100000) is out of range for sequence data type smallint");
        assert_eq!(message("INCREMENT 0 CACHE 0", at(1, true)), "INCREMENT must not be zero");
        assert_eq!(message("CACHE 0", at(1, true)), "CACHE (0) must be greater than zero");
        assert_eq!(message("RESTART 1 RESTART", at(1, true)), "conflicting or redundant options");
        assert_eq!(message("RESTART 9223372036854775808", at(1, true)), "value \"9223372036854775808\" is out of range for type bigint");
    }
}
