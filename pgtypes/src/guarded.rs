//! One of DataFusion's functions with Shale's checks around its call: the name and aliases
//! stay the inner function's, and so do its signature and types unless the [`Guard`] gives
//! its own (a type PostgreSQL's function takes that DataFusion's does not, or the type
//! PostgreSQL's returns); the call goes through the guard.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature};

/// What a guarded function does around the inner function's call.
pub(crate) trait Guard: Debug + PartialEq + Eq + Hash + Send + Sync + 'static {
    /// Calls `inner` with `args`, checking before or after as PostgreSQL would.
    fn invoke(&self, inner: &ScalarUDF, args: ScalarFunctionArgs) -> Result<ColumnarValue>;

    /// The signature calls are checked against: the inner function's by default.
    fn signature<'a>(&'a self, inner: &'a ScalarUDF) -> &'a Signature {
        inner.signature()
    }

    /// The argument types a call with `args` takes: the inner function's by default.
    fn coerce_types(&self, inner: &ScalarUDF, args: &[DataType]) -> Result<Vec<DataType>> {
        inner.coerce_types(args)
    }

    /// The result of a call: the inner function's by default.
    fn return_field(&self, inner: &ScalarUDF, args: ReturnFieldArgs) -> Result<FieldRef> {
        inner.return_field_from_args(args)
    }
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
        self.guard.signature(&self.inner)
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        self.guard.coerce_types(&self.inner, args)
    }

    /// The type [`Self::return_field_from_args`] gives when no argument is a literal.
    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let fields: Vec<FieldRef> = args.iter().map(|t| Arc::new(Field::new("", t.clone(), true))).collect();
        let scalars = vec![None; args.len()];
        let field = self.return_field_from_args(ReturnFieldArgs { arg_fields: &fields, scalar_arguments: &scalars })?;
        Ok(field.data_type().clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.guard.return_field(&self.inner, args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.guard.invoke(&self.inner, args)
    }
}

/// The argument types DataFusion's function `inner` takes for `args`, for a function that
/// wraps it and hands it the types it does not handle itself.
pub fn coerced_by(inner: &ScalarUDF, args: &[DataType]) -> Result<Vec<DataType>> {
    let fields: Vec<_> = args.iter().map(|t| Arc::new(Field::new("", t.clone(), true))).collect();
    let coerced = datafusion::logical_expr::type_coercion::functions::fields_with_udf(&fields, inner)?;
    Ok(coerced.iter().map(|f| f.data_type().clone()).collect())
}
