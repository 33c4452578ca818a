//! `pg_typeof(any)`: the type of its argument as the statement computes it, a `regtype`
//! (which prints as the type's name).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::field_type::field_type;
use crate::types::TYPE_KEY;

#[derive(Debug, PartialEq, Eq, Hash)]
struct TypeOf {
    signature: Signature,
}

/// The function.
pub fn function() -> ScalarUDF {
    ScalarUDF::new_from_impl(TypeOf { signature: Signature::any(1, Volatility::Stable) })
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &str {
        "pg_typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt32)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        let tag = [(TYPE_KEY.to_string(), "regtype".to_string())].into_iter().collect();
        Ok(Arc::new(Field::new("pg_typeof", DataType::UInt32, false).with_metadata(tag)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // The argument's field as executed: after analysis settled its type (`1` is an
        // integer).
        let oid = args.arg_fields.first().map_or(0, |f| field_type(f).oid);
        Ok(ColumnarValue::Scalar(ScalarValue::UInt32(Some(oid))))
    }
}
