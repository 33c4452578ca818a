//! The argument types PostgreSQL declares for functions whose DataFusion signature takes
//! any type or other types too: Describe gives a `$n` passed to one of them its declared
//! type (`pg_advisory_lock($1)` is a bigint parameter, `sha384($1)` a bytea one), as
//! PostgreSQL infers an untyped parameter's type from the one function of that name that
//! takes that many arguments.

use shale_pgtypes::types::SqlType;

/// Each declaration: a function's name and its argument types. A name has at most one
/// declaration per number of arguments.
const DECLARED: &[(&str, &[SqlType])] = &[
    // Advisory locks (`super::advisory`): one bigint key, or two integers.
    ("pg_advisory_lock", &[SqlType::Int8]),
    ("pg_advisory_lock", &[SqlType::Int4, SqlType::Int4]),
    ("pg_try_advisory_lock", &[SqlType::Int8]),
    ("pg_try_advisory_lock", &[SqlType::Int4, SqlType::Int4]),
    ("pg_advisory_unlock", &[SqlType::Int8]),
    ("pg_advisory_unlock", &[SqlType::Int4, SqlType::Int4]),
    ("pg_sleep", &[SqlType::Float8]),
    // DataFusion's digests also take text; PostgreSQL's only bytea.
    ("sha224", &[SqlType::Bytea]),
    ("sha256", &[SqlType::Bytea]),
    ("sha384", &[SqlType::Bytea]),
    ("sha512", &[SqlType::Bytea]),
];

/// The type PostgreSQL declares for argument `position` (from 0) of the function `name`
/// called with `arity` arguments, if this module declares that function.
pub fn declared_argument_type(name: &str, arity: usize, position: usize) -> Option<SqlType> {
    DECLARED
        .iter()
        .find(|(declared, args)| *declared == name && args.len() == arity)
        .and_then(|(_, args)| args.get(position).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_have_their_declared_types() {
        assert_eq!(declared_argument_type("pg_advisory_lock", 1, 0), Some(SqlType::Int8));
        assert_eq!(declared_argument_type("pg_advisory_unlock", 2, 1), Some(SqlType::Int4));
        assert_eq!(declared_argument_type("sha384", 1, 0), Some(SqlType::Bytea));
        assert_eq!(declared_argument_type("sha384", 2, 0), None);
        assert_eq!(declared_argument_type("upper", 1, 0), None);
    }
}
