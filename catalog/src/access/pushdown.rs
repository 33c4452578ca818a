//! Turns filters on key columns into RocksDB key bounds: equality on the whole primary key
//! is one `get`, equality on a prefix of the key and a range on the next key column is one
//! bounded iterator; the same bounds on the columns of an index read its entries, which
//! lead to the rows. Filters are reported to DataFusion as `Inexact`, so DataFusion still
//! evaluates them on the rows and a conservative bound is always correct.

use datafusion::common::ScalarValue;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::logical_expr::expr::InList;
use datafusion::logical_expr::expr_rewriter::unnormalize_col;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator};
use shale_pgtypes::types::SqlType;
use shale_storage::{Datum, KeyRange, VALUE_FLAG, encode_key_datum, prefix_successor, table_prefix};

use crate::access::convert::{StorageKind, datum_at};
use crate::descriptor::{IndexDesc, TableDesc};
use crate::session::param::{PARAM_FUNCTION, fold_constants, has_params};

/// How a scan reaches its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyPlan {
    /// The rows with these keys, in key order (`id = 1`, `id IN (1, 2)`).
    Points(Vec<Vec<u8>>),
    /// The rows with keys in these ranges, one after another, in key order.
    Ranges(Vec<KeyRange>),
    /// The rows the entries of the index `name` in these ranges lead to; `point`: one
    /// entry of a unique index at most per range.
    Index { name: String, ranges: Vec<KeyRange>, point: bool },
}

impl KeyPlan {
    /// What the plan reads its rows by.
    pub fn key(&self) -> ScanKey {
        match self {
            KeyPlan::Points(_) | KeyPlan::Ranges(_) => ScanKey::Primary,
            KeyPlan::Index { name, .. } => ScanKey::Index(name.clone()),
        }
    }
}

/// What a scan reads its rows by, in key order.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanKey {
    /// The table's rows, by primary key (or hidden row id).
    Primary,
    /// The entries of the index of this name.
    Index(String),
}

/// The key plan of a scan and the predicates it was derived from, for EXPLAIN.
#[derive(Debug, Clone)]
pub struct KeyAccess {
    /// How the scan reads.
    pub plan: KeyPlan,
    /// The pushed predicates, as DataFusion prints them.
    pub predicates: Vec<String>,
    /// How many leading key columns the plan's keys or ranges fix by equality.
    pub equal: usize,
    /// For each range of the plan, the first key in it whose next column (the first one not
    /// fixed by equality) holds a value: storage puts that column's NULLs before its values.
    values_from: Vec<Vec<u8>>,
}

impl KeyAccess {
    /// The plan reading each of its ranges in two parts, the rows with a value in the first
    /// column not fixed by equality, then those with NULL there: that column ascending
    /// NULLS LAST, and read backward descending NULLS FIRST (PostgreSQL's defaults, where
    /// storage's key order gives the other placement). `None` when every key column is
    /// fixed by equality.
    pub fn nulls_last(&self) -> Option<KeyPlan> {
        let split = |ranges: &[KeyRange]| -> Vec<KeyRange> {
            ranges
                .iter()
                .zip(&self.values_from)
                .flat_map(|(range, from)| {
                    let values = KeyRange { lower: range.lower.clone().max(from.clone()), upper: range.upper.clone() };
                    let upper = match &range.upper {
                        Some(upper) => upper.clone().min(from.clone()),
                        None => from.clone(),
                    };
                    let nulls = KeyRange { lower: range.lower.clone(), upper: Some(upper) };
                    [values, nulls]
                })
                .filter(|r| r.upper.as_ref().is_none_or(|upper| r.lower < *upper))
                .collect()
        };
        match &self.plan {
            KeyPlan::Ranges(ranges) | KeyPlan::Index { ranges, .. } if ranges.len() != self.values_from.len() => None,
            KeyPlan::Points(_) => None,
            KeyPlan::Ranges(ranges) => Some(KeyPlan::Ranges(split(ranges))),
            KeyPlan::Index { name, ranges, point } => Some(KeyPlan::Index { name: name.clone(), ranges: split(ranges), point: *point }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Eq,
    /// One of the values of an IN list (the list's values share its text).
    In,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

/// What a key column is: a column of the table, or an index's expression (by its planned
/// text, [`crate::descriptor::IndexExpr::planned`]).
#[derive(Debug, Clone, PartialEq)]
enum KeyPart {
    Slot(usize),
    Expr(String),
}

struct Constraint {
    key: KeyPart,
    cmp: Cmp,
    value: Datum,
    text: String,
}

/// Whether `expr` constrains a column of the primary key or of an index in a way
/// [`key_access`] uses, or is (part of) the predicate of a partial index.
pub fn is_key_filter(desc: &TableDesc, expr: &Expr) -> bool {
    let mut found = Vec::new();
    collect(desc, expr, &mut found);
    if !found.is_empty() {
        return true;
    }
    let predicates: Vec<&String> = desc.indexes.iter().filter_map(|i| i.predicate.as_ref()).flat_map(|p| &p.planned).collect();
    !predicates.is_empty() && split_conjunction(expr).iter().any(|f| predicates.contains(&&unnormalize_col((*f).clone()).to_string()))
}

/// The key plan for a scan of `desc` under `filters` (a conjunction): the primary key's
/// when the filters constrain it, else the index whose leading columns they constrain
/// best (a whole unique key by equality, then the most columns by equality, then a range
/// on the next one), else the whole table.
pub fn key_access(desc: &TableDesc, filters: &[Expr]) -> KeyAccess {
    let constraints = constraints(desc, filters);
    access_by(desc, &constraints, &best_key(desc, &constraints, filters))
}

/// The key plan for a scan of `desc` under `filters` that reads by `key`, whichever key
/// the filters constrain best (the key [`parameter_key`] chose at planning).
pub fn key_access_by(desc: &TableDesc, filters: &[Expr], key: &ScanKey) -> KeyAccess {
    access_by(desc, &constraints(desc, filters), key)
}

/// The key a scan of `desc` under `filters`, some of which read parameters, reads by at
/// every execution, whatever the values: the one [`key_access`] chooses when each
/// parameter stands for a value of its type. A partial index only when filters without
/// parameters say its predicate (other values would not).
pub fn parameter_key(desc: &TableDesc, filters: &[Expr]) -> ScanKey {
    let known: Vec<Expr> = filters.iter().filter(|f| !has_params(f)).cloned().collect();
    let stand_ins: Vec<Expr> = filters.iter().map(with_stand_ins).collect();
    best_key(desc, &constraints(desc, &stand_ins), &known)
}

/// How many leading columns of `key` `filters`, some of which read parameters, fix by
/// equality, whatever the values (as [`parameter_key`] finds it).
pub fn parameter_equal(desc: &TableDesc, filters: &[Expr], key: &ScanKey) -> usize {
    let stand_ins: Vec<Expr> = filters.iter().map(with_stand_ins).collect();
    key_access_by(desc, &stand_ins, key).equal
}

/// The plan that reads every entry of the index `name` (one without a predicate).
pub fn whole_index(desc: &TableDesc, name: &str) -> KeyAccess {
    access_by(desc, &[], &ScanKey::Index(name.to_string()))
}

/// The key constraints in `filters`.
fn constraints(desc: &TableDesc, filters: &[Expr]) -> Vec<Constraint> {
    let mut constraints = Vec::new();
    for f in filters {
        collect(desc, f, &mut constraints);
    }
    constraints
}

/// The key that `constraints` bound best (see [`key_access`]); an index with a predicate
/// only when `filters` say it.
fn best_key(desc: &TableDesc, constraints: &[Constraint], filters: &[Expr]) -> ScanKey {
    let primary = primary_bounds(desc, constraints);
    if primary.point {
        return ScanKey::Primary;
    }
    let filtered: Vec<String> = filters.iter().flat_map(split_conjunction).map(|f| unnormalize_col(f.clone()).to_string()).collect();
    let best_index = desc
        .indexes
        .iter()
        // A partial index has the rows its predicate holds for: the filters must say it.
        .filter(|index| index.predicate.as_ref().is_none_or(|p| p.planned.iter().all(|c| filtered.contains(c))))
        .map(|index| (index, bounds(&table_prefix(index.id), &key_parts(index), constraints)))
        .filter(|(_, b)| !b.predicates.is_empty())
        .max_by_key(|(index, b)| (b.point && index.unique, b.equal, b.ranged));
    let better = |b: &Bounds| (b.point, b.equal, b.ranged) > (primary.point, primary.equal, primary.ranged);
    match best_index.filter(|(_, b)| primary.predicates.is_empty() || better(b)) {
        Some((index, _)) => ScanKey::Index(index.name.clone()),
        None => ScanKey::Primary,
    }
}

/// The key plan that reads by `key` within the bounds `constraints` give on it.
fn access_by(desc: &TableDesc, constraints: &[Constraint], key: &ScanKey) -> KeyAccess {
    if let ScanKey::Index(name) = key
        && let Some(index) = desc.index(name)
    {
        let b = bounds(&table_prefix(index.id), &key_parts(index), constraints);
        let point = b.point && index.unique;
        let plan = KeyPlan::Index { name: name.clone(), ranges: b.ranges, point };
        return KeyAccess { plan, predicates: b.predicates, equal: b.equal, values_from: b.values_from };
    }
    let primary = primary_bounds(desc, constraints);
    let plan = match primary.point {
        true => KeyPlan::Points(primary.ranges.into_iter().map(|r| r.lower).collect()),
        false => KeyPlan::Ranges(primary.ranges),
    };
    KeyAccess { plan, predicates: primary.predicates, equal: primary.equal, values_from: primary.values_from }
}

/// The bounds `constraints` give on the primary key (or hidden row id) of `desc`.
fn primary_bounds(desc: &TableDesc, constraints: &[Constraint]) -> Bounds {
    let primary_key: Vec<KeyPart> = desc.primary_key.iter().map(|&s| KeyPart::Slot(s)).collect();
    bounds(&desc.row_prefix(), &primary_key, constraints)
}

/// `expr` with each parameter standing for a value of its type (0, '', false, ...).
fn with_stand_ins(expr: &Expr) -> Expr {
    let replaced = expr.clone().transform_up(|e| {
        let Expr::ScalarFunction(f) = &e else { return Ok(Transformed::no(e)) };
        let typed_null = match f.args.get(1) {
            Some(Expr::Literal(value, _)) if f.func.name() == PARAM_FUNCTION => value,
            _ => return Ok(Transformed::no(e)),
        };
        Ok(match ScalarValue::new_default(&typed_null.data_type()) {
            Ok(value) => Transformed::yes(Expr::Literal(value, None)),
            Err(_) => Transformed::no(e),
        })
    });
    // Computed as at execution (`'u' || $1 || '@x'` is a literal then), so that the key is
    // the one the values will constrain.
    replaced.ok().and_then(|t| fold_constants(t.data).ok()).unwrap_or_else(|| expr.clone())
}

/// At most this many keys or ranges from IN lists: a longer list (or product of lists)
/// bounds the scan by the columns before it only.
const MAX_KEYS: usize = 1024;

/// What the constraints give on a key of `slots` under `prefix`.
struct Bounds {
    /// Every column is constrained by equality (or IN): each range is one whole key.
    point: bool,
    /// How many leading columns are constrained by equality.
    equal: usize,
    /// Whether the next column has a range.
    ranged: bool,
    /// The ranges, in key order, not overlapping.
    ranges: Vec<KeyRange>,
    /// For each range, where its keys with a value in the column after the `equal` ones
    /// start (see [`KeyAccess::nulls_last`]).
    values_from: Vec<Vec<u8>>,
    predicates: Vec<String>,
}

/// The key parts of `index`, in key order.
fn key_parts(index: &IndexDesc) -> Vec<KeyPart> {
    index
        .columns
        .iter()
        .map(|c| match (c.slot, &c.expr) {
            (Some(slot), _) => KeyPart::Slot(slot),
            (None, expr) => KeyPart::Expr(expr.as_ref().map(|e| e.planned.concat()).unwrap_or_default()),
        })
        .collect()
}

/// The bounds on keys of `slots` (under `prefix`) that `constraints` give: equality (or
/// IN lists) on a prefix of the columns, and a range on the next one.
fn bounds(prefix: &[u8], slots: &[KeyPart], constraints: &[Constraint]) -> Bounds {
    let mut keys = vec![prefix.to_vec()];
    let mut predicates = Vec::new();
    let whole = |keys: Vec<Vec<u8>>| keys.into_iter().map(|k| KeyRange { upper: prefix_successor(&k), lower: k }).collect();
    let values_from = |keys: &[Vec<u8>]| keys.iter().map(|k| [k.as_slice(), &[VALUE_FLAG]].concat()).collect();
    for (position, slot) in slots.iter().enumerate() {
        let on_slot: Vec<&Constraint> = constraints.iter().filter(|c| &c.key == slot).collect();
        let equal: Vec<&Datum> = match on_slot.iter().find(|c| c.cmp == Cmp::Eq) {
            Some(eq) => vec![&eq.value],
            None => match on_slot.iter().find(|c| c.cmp == Cmp::In) {
                Some(first) => on_slot.iter().filter(|c| c.cmp == Cmp::In && c.text == first.text).map(|c| &c.value).collect(),
                None => Vec::new(),
            },
        };
        if !equal.is_empty() && keys.len() * equal.len() <= MAX_KEYS {
            let text = on_slot.iter().find(|c| matches!(c.cmp, Cmp::Eq | Cmp::In)).map(|c| c.text.clone()).unwrap_or_default();
            predicates.push(text);
            let mut next = Vec::with_capacity(keys.len() * equal.len());
            for key in &keys {
                for value in &equal {
                    let mut k = key.clone();
                    encode_key_datum(value.as_ref(), &mut k);
                    next.push(k);
                }
            }
            next.sort();
            next.dedup();
            keys = next;
            if position + 1 == slots.len() {
                return Bounds { point: true, equal: slots.len(), ranged: false, values_from: Vec::new(), ranges: whole(keys), predicates };
            }
            continue;
        }
        let lower = on_slot.iter().find(|c| matches!(c.cmp, Cmp::Gt | Cmp::GtEq));
        let upper = on_slot.iter().find(|c| matches!(c.cmp, Cmp::Lt | Cmp::LtEq));
        predicates.extend(lower.iter().chain(upper.iter()).map(|c| c.text.clone()));
        let ranged = lower.is_some() || upper.is_some();
        let ranges = keys
            .iter()
            .map(|key| {
                let bound = |c: &Constraint| {
                    let mut k = key.clone();
                    encode_key_datum(c.value.as_ref(), &mut k);
                    k
                };
                let lower_key = match lower {
                    Some(c) if c.cmp == Cmp::Gt => prefix_successor(&bound(c)),
                    Some(c) => Some(bound(c)),
                    None => Some(key.clone()),
                };
                let upper_key = match upper {
                    Some(c) if c.cmp == Cmp::LtEq => prefix_successor(&bound(c)),
                    Some(c) => Some(bound(c)),
                    None => prefix_successor(key),
                };
                // A lower bound with no successor (all 0xff) selects nothing: an empty range.
                let lower_key = lower_key.unwrap_or_else(|| prefix_successor(prefix).unwrap_or_else(|| key.clone()));
                KeyRange { lower: lower_key, upper: upper_key }
            })
            .collect();
        return Bounds { point: false, equal: position, ranged, values_from: values_from(&keys), ranges, predicates };
    }
    Bounds { point: false, equal: slots.len(), ranged: false, values_from: values_from(&keys), ranges: whole(keys), predicates }
}

/// Collects the key-column constraints in `expr` (splitting AND).
fn collect(desc: &TableDesc, expr: &Expr, out: &mut Vec<Constraint>) {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::And, right }) => {
            collect(desc, left, out);
            collect(desc, right, out);
        }
        // `a = 1 OR a = 2`, as DataFusion plans a short IN list.
        Expr::BinaryExpr(BinaryExpr { op: Operator::Or, .. }) => {
            let mut alternatives = Vec::new();
            if !equalities(desc, expr, &mut alternatives) || alternatives.is_empty() {
                return;
            }
            let key = alternatives[0].0.clone();
            if alternatives.iter().all(|(k, _)| *k == key) {
                let text = expr.to_string();
                out.extend(alternatives.into_iter().map(|(_, value)| Constraint { key: key.clone(), cmp: Cmp::In, value, text: text.clone() }));
            }
        }
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let ((key, ty), literal, cmp) = match (key_column(desc, left), literal(right)) {
                (Some(key), Some(lit)) => (key, lit, comparison(*op, false)),
                _ => match (key_column(desc, right), literal(left)) {
                    (Some(key), Some(lit)) => (key, lit, comparison(*op, true)),
                    _ => return,
                },
            };
            if let (Some(cmp), Some(value)) = (cmp, to_datum(&ty, literal))
                && (cmp == Cmp::Eq || ty.keys_sort_as_values())
            {
                out.push(Constraint { key, cmp, value, text: expr.to_string() });
            }
        }
        Expr::InList(InList { expr: inner, list, negated: false }) => {
            let Some((key, ty)) = key_column(desc, inner) else { return };
            let values: Option<Vec<Datum>> = list.iter().map(|item| literal(item).and_then(|l| to_datum(&ty, l))).collect();
            if let Some(values) = values {
                let text = expr.to_string();
                out.extend(values.into_iter().map(|value| Constraint { key: key.clone(), cmp: Cmp::In, value, text: text.clone() }));
            }
        }
        Expr::Between(Between { expr: inner, negated: false, low, high }) => {
            let Some((key, ty)) = key_column(desc, inner).filter(|(_, ty)| ty.keys_sort_as_values()) else { return };
            for (bound, cmp) in [(low, Cmp::GtEq), (high, Cmp::LtEq)] {
                if let Some(value) = literal(bound).and_then(|l| to_datum(&ty, l)) {
                    out.push(Constraint { key: key.clone(), cmp, value, text: expr.to_string() });
                }
            }
        }
        _ => {}
    }
}

/// Collects the `column = value` leaves of an OR of them into `out`; false when a leaf is
/// something else.
fn equalities(desc: &TableDesc, expr: &Expr, out: &mut Vec<(KeyPart, Datum)>) -> bool {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Or, right }) => equalities(desc, left, out) && equalities(desc, right, out),
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right }) => {
            let ((key, ty), value) = match (key_column(desc, left), key_column(desc, right)) {
                (Some(key), _) => (key, right),
                (_, Some(key)) => (key, left),
                _ => return false,
            };
            match literal(value).and_then(|l| to_datum(&ty, l)) {
                Some(datum) => {
                    out.push((key, datum));
                    true
                }
                None => false,
            }
        }
        _ => false,
    }
}

fn comparison(op: Operator, flipped: bool) -> Option<Cmp> {
    let cmp = match op {
        Operator::Eq => Cmp::Eq,
        Operator::Lt => Cmp::Lt,
        Operator::LtEq => Cmp::LtEq,
        Operator::Gt => Cmp::Gt,
        Operator::GtEq => Cmp::GtEq,
        _ => return None,
    };
    Some(if !flipped {
        cmp
    } else {
        match cmp {
            Cmp::Lt => Cmp::Gt,
            Cmp::LtEq => Cmp::GtEq,
            Cmp::Gt => Cmp::Lt,
            Cmp::GtEq => Cmp::LtEq,
            other => other,
        }
    })
}

/// The key column (of the primary key or an index) `expr` is, and its type: a column
/// (seeing through casts), or the expression of an index.
fn key_column(desc: &TableDesc, expr: &Expr) -> Option<(KeyPart, SqlType)> {
    match expr {
        Expr::Column(c) => {
            let (slot, column) = desc.column(&c.name)?;
            let indexed = desc.indexes.iter().any(|i| i.columns.iter().any(|k| k.slot == Some(slot)));
            (desc.primary_key.contains(&slot) || indexed).then(|| (KeyPart::Slot(slot), column.ty.clone()))
        }
        Expr::Cast(cast) => key_column(desc, &cast.expr),
        Expr::Literal(..) => None,
        expr => {
            let text = unnormalize_col(expr.clone()).to_string();
            let indexed = desc.indexes.iter().flat_map(|i| &i.columns).filter_map(|c| c.expr.as_ref()).find(|e| e.planned == [text.as_str()])?;
            Some((KeyPart::Expr(text), indexed.ty.clone()))
        }
    }
}

fn literal(expr: &Expr) -> Option<&ScalarValue> {
    match expr {
        Expr::Literal(v, _) if !v.is_null() => Some(v),
        _ => None,
    }
}

/// The literal as a datum of the key column's type `ty`, if it converts exactly (so that a
/// bound derived from it is exact, e.g. `int_col < 2.5` is not pushed).
fn to_datum(ty: &SqlType, value: &ScalarValue) -> Option<Datum> {
    let target = ty.arrow_type();
    let cast = value.cast_to(&target).ok()?;
    let back = cast.cast_to(&value.data_type()).ok()?;
    if &back != value {
        return None;
    }
    let array = cast.to_array().ok()?;
    datum_at(array.as_ref(), 0).ok().filter(|d| *d != Datum::Null)
}
