//! One of DataFusion's functions with Shale's checks around its call: the name, aliases,
//! signature and types stay the inner function's; only the call goes through a [`Guard`].

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature};

/// What a guarded function does around the inner function's call.
pub(crate) trait Guard: Debug + PartialEq + Eq + Hash + Send + Sync + 'static {
    /// Calls `inner` with `args`, checking before or after as PostgreSQL would.
    fn invoke(&self, inner: &ScalarUDF, args: ScalarFunctionArgs) -> Result<ColumnarValue>;
}

/// `inner` called through `guard`.
pub(crate) fn guarded<G: Guard>(inner: Arc<ScalarUDF>, guard: G) -> ScalarUDF {
    ScalarUDF::new_from_impl(Guarded { inner, guard })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Guarded<G> {
    inner: Arc<ScalarUDF>,
    guard: G,
}

impl<G: Guard> ScalarUDFImpl for Guarded<G> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(args)
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.inner.return_type(args)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.guard.invoke(&self.inner, args)
    }
}

/// The argument types DataFusion's function `inner` takes for `args`, for a function that
/// wraps it and hands it the types it does not handle itself.
pub fn coerced_by(inner: &ScalarUDF, args: &[DataType]) -> Result<Vec<DataType>> {
    let fields: Vec<_> = args.iter().map(|t| Arc::new(datafusion::arrow::datatypes::Field::new("", t.clone(), true))).collect();
    let coerced = datafusion::logical_expr::type_coercion::functions::fields_with_udf(&fields, inner)?;
    Ok(coerced.iter().map(|f| f.data_type().clone()).collect())
}
