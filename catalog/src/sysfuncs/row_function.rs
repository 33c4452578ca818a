//! A scalar function computed row by row from [`ScalarValue`]s: the shape of the system
//! information functions, which run over catalogs of a few hundred rows.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;
use crate::system::Snapshot;

/// What a function's body sees: its session, and the catalog as the statement sees it
/// (read at most once per call, when the body asks for it).
pub(crate) struct Context<'a> {
    pub handle: &'a SessionHandle,
    snapshot: OnceLock<Snapshot>,
    /// The sequence the call's argument named, resolved once for all its rows (`nextval`).
    pub sequence: std::cell::RefCell<Option<(ScalarValue, crate::descriptor::SequenceDesc)>>,
    /// The descriptions COMMENT ON gave, by (objoid, objsubid): each with its classoid,
    /// gathered once for all the call's rows.
    comments: OnceLock<HashMap<(u32, i32), Vec<(u32, String)>>>,
}

impl Context<'_> {
    /// The catalog snapshot of this call.
    pub fn snapshot(&self) -> Result<&Snapshot> {
        if let Some(s) = self.snapshot.get() {
            return Ok(s);
        }
        let loaded = Snapshot::load(self.handle)?;
        Ok(self.snapshot.get_or_init(|| loaded))
    }

    /// The description COMMENT ON gave the object `oid` (its column `subid`, or 0), of the
    /// catalog `class` when it is given.
    pub fn comment(&self, oid: u32, class: Option<u32>, subid: i32) -> Result<Option<String>> {
        if self.comments.get().is_none() {
            let mut all: HashMap<(u32, i32), Vec<(u32, String)>> = HashMap::new();
            for (o, c, sub, text) in self.snapshot()?.comments() {
                all.entry((o, sub)).or_default().push((c, text.to_string()));
            }
            let _ = self.comments.set(all);
        }
        let found = self.comments.get().and_then(|all| all.get(&(oid, subid)));
        Ok(found.and_then(|texts| texts.iter().find(|(c, _)| class.is_none_or(|class| class == *c))).map(|(_, t)| t.clone()))
    }
}

/// A function body: one row's argument values to its result.
pub(crate) type Body = dyn Fn(&Context<'_>, &[ScalarValue]) -> Result<ScalarValue> + Send + Sync;

/// A row-by-row scalar function of a session.
pub(crate) struct RowFunction {
    name: &'static str,
    signature: Signature,
    returns: Field,
    handle: SessionHandle,
    body: Arc<Body>,
    /// Computed for every row even when its arguments are constants (`nextval`).
    volatile: bool,
}

impl std::fmt::Debug for RowFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowFunction").field("name", &self.name).finish()
    }
}

impl PartialEq for RowFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.handle.same_session(&other.handle)
    }
}

impl Eq for RowFunction {}

impl Hash for RowFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// The function `name` taking any of `arities` arguments of any type and returning
/// `returns`, computed by `body`.
pub(crate) fn row_function(
    handle: &SessionHandle,
    name: &'static str,
    arities: &[usize],
    returns: Field,
    volatility: Volatility,
    body: impl Fn(&Context<'_>, &[ScalarValue]) -> Result<ScalarValue> + Send + Sync + 'static,
) -> ScalarUDF {
    let signatures = arities
        .iter()
        .map(|n| match n {
            0 => TypeSignature::Nullary,
            n => TypeSignature::Any(*n),
        })
        .collect();
    ScalarUDF::new_from_impl(RowFunction {
        name,
        signature: Signature::one_of(signatures, volatility),
        returns,
        handle: handle.clone(),
        body: Arc::new(body),
        volatile: volatility == Volatility::Volatile,
    })
}

impl ScalarUDFImpl for RowFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(self.returns.data_type().clone())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DFResult<FieldRef> {
        Ok(Arc::new(self.returns.clone().with_name(self.name)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let context = Context { handle: &self.handle, snapshot: OnceLock::new(), sequence: Default::default(), comments: OnceLock::new() };
        let all_scalar = !self.volatile && args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<DFResult<Vec<_>>>()?;
        let mut results = Vec::with_capacity(rows);
        for row in 0..rows {
            let values = arrays.iter().map(|a| ScalarValue::try_from_array(a, row)).collect::<DFResult<Vec<_>>>()?;
            let value = (self.body)(&context, &values).map_err(CatalogError::into_datafusion)?;
            results.push(match value {
                ScalarValue::Null => ScalarValue::try_from(self.returns.data_type())?,
                value => value,
            });
        }
        if all_scalar {
            let value = results.pop().map_or_else(|| ScalarValue::try_from(self.returns.data_type()), Ok)?;
            return Ok(ColumnarValue::Scalar(value));
        }
        let array = match results.is_empty() {
            true => datafusion::arrow::array::new_empty_array(self.returns.data_type()),
            false => ScalarValue::iter_to_array(results)?,
        };
        Ok(ColumnarValue::Array(array))
    }
}

/// An argument as an OID: an `oid`, an integer or the text of one (NULL: `None`).
pub(crate) fn oid_arg(value: &ScalarValue) -> Result<Option<u32>> {
    Ok(match value {
        ScalarValue::UInt32(v) => *v,
        ScalarValue::Null => None,
        other if other.is_null() => None,
        other => {
            let text = other.to_string();
            Some(text.trim().parse::<u32>().or_else(|_| text.trim().parse::<i64>().map(|n| n as u32)).map_err(|_| {
                CatalogError::new(crate::sqlstate::INVALID_TEXT, format!("invalid input syntax for type oid: \"{text}\""))
            })?)
        }
    })
}

/// An argument as text (NULL: `None`).
pub(crate) fn text_arg(value: &ScalarValue) -> Option<String> {
    match value {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v.clone(),
        other if other.is_null() => None,
        other => Some(other.to_string()),
    }
}

/// An argument as a boolean (NULL: `None`).
pub(crate) fn bool_arg(value: &ScalarValue) -> Option<bool> {
    match value {
        ScalarValue::Boolean(v) => *v,
        other if other.is_null() => None,
        other => match other.to_string().trim().to_lowercase().as_str() {
            "t" | "true" | "on" | "yes" | "1" => Some(true),
            _ => Some(false),
        },
    }
}

/// An argument as an integer (NULL: `None`).
pub(crate) fn int_arg(value: &ScalarValue) -> Option<i64> {
    match value {
        other if other.is_null() => None,
        other => other.cast_to(&DataType::Int64).ok().and_then(|v| match v {
            ScalarValue::Int64(n) => n,
            _ => None,
        }),
    }
}
