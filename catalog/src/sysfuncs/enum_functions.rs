//! `enum_first`, `enum_last` and `enum_range`: the labels of an enum type, named by the
//! type of an argument (`enum_first(NULL::mood)`), as the statement's transaction sees them.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use shale_pgtypes::enums::{self, EnumLabel};
use shale_pgtypes::PgError;
use shale_pgtypes::types::LIST_ITEM;

use crate::error::{CatalogError, sqlstate};
use crate::session::handle::SessionHandle;

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    First,
    Last,
    Range,
}

#[derive(Debug)]
struct EnumFunction {
    which: Which,
    handle: SessionHandle,
    signature: Signature,
}

impl PartialEq for EnumFunction {
    fn eq(&self, other: &Self) -> bool {
        self.which == other.which && self.handle.same_session(&other.handle)
    }
}

impl Eq for EnumFunction {}

impl std::hash::Hash for EnumFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.which.hash(state);
    }
}

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    [Which::First, Which::Last, Which::Range]
        .into_iter()
        .map(|which| {
            let arities = match which {
                Which::Range => vec![TypeSignature::Any(1), TypeSignature::Any(2)],
                _ => vec![TypeSignature::Any(1)],
            };
            ScalarUDF::new_from_impl(EnumFunction {
                which,
                handle: handle.clone(),
                signature: Signature::one_of(arities, Volatility::Stable),
            })
        })
        .collect()
}

/// The enum type of the arguments of `name`; when none has one, PostgreSQL's errors: no
/// function of one `unknown` argument (42883), or no type to resolve two to (42804).
fn argument_enum(name: &str, types: &[&DataType]) -> DFResult<u32> {
    if let Some(oid) = types.iter().find_map(|t| enums::enum_oid(t)) {
        return Ok(oid);
    }
    let e = match types {
        [_] => CatalogError::new(sqlstate::UNDEFINED_FUNCTION, format!("function {name}(unknown) does not exist"))
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
        _ => CatalogError::new(sqlstate::DATATYPE_MISMATCH, "could not determine polymorphic type because input has type unknown"),
    };
    Err(e.into_datafusion())
}

impl ScalarUDFImpl for EnumFunction {
    fn name(&self) -> &str {
        match self.which {
            Which::First => "enum_first",
            Which::Last => "enum_last",
            Which::Range => "enum_range",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> DFResult<DataType> {
        let ty = enums::data_type(argument_enum(self.name(), &args.iter().collect::<Vec<_>>())?);
        Ok(match self.which {
            Which::Range => DataType::List(Arc::new(Field::new(LIST_ITEM, ty, true))),
            _ => ty,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let types: Vec<DataType> = args.arg_fields.iter().map(|f| f.data_type().clone()).collect();
        Ok(Arc::new(Field::new(self.name(), self.return_type(&types)?, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let oid = argument_enum(self.name(), &args.arg_fields.iter().map(|f| f.data_type()).collect::<Vec<_>>())?;
        let ty = crate::enum_values::enum_type(&self.handle, oid).map_err(CatalogError::into_datafusion)?;
        let labels = &ty.labels;
        if self.which != Which::Range {
            let label = match self.which {
                Which::First => labels.first(),
                _ => labels.last(),
            };
            let text = label.map(|l| l.label.as_str());
            return Ok(ColumnarValue::Array(ty.array(std::iter::repeat_n(text, rows)).map_err(PgError::into_datafusion)?));
        }
        // Each row's bounds: NULL (or a missing second argument) is the type's end.
        let bounds: Vec<ArrayRef> = args.args.iter().map(|a| a.to_array(rows)).collect::<DFResult<_>>()?;
        let order_at = |i: usize, row: usize| -> Option<f32> {
            let array = bounds.get(i)?;
            let values = array.as_any().downcast_ref::<datafusion::arrow::array::StructArray>()?;
            enums::enum_oid(array.data_type())?;
            (!values.is_null(row)).then(|| {
                values.column(0).as_any().downcast_ref::<datafusion::arrow::array::Float32Array>().map_or(0.0, |o| o.value(row))
            })
        };
        let mut offsets = vec![0i32];
        let mut items: Vec<&str> = Vec::new();
        for row in 0..rows {
            let (low, high) = (order_at(0, row), order_at(1, row));
            let low = if bounds.len() == 1 { None } else { low };
            let within = |l: &&EnumLabel| low.is_none_or(|o| l.sortorder >= o) && high.is_none_or(|o| l.sortorder <= o);
            items.extend(labels.iter().filter(within).map(|l| l.label.as_str()));
            offsets.push(i32::try_from(items.len()).map_err(|_| {
                CatalogError::new(sqlstate::PROGRAM_LIMIT_EXCEEDED, "too many enum labels in one batch").into_datafusion()
            })?);
        }
        let values = ty.array(items.into_iter().map(Some)).map_err(PgError::into_datafusion)?;
        let item = Arc::new(Field::new(LIST_ITEM, values.data_type().clone(), true));
        let list = ListArray::try_new(item, OffsetBuffer::new(offsets.into()), values, None)?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}
