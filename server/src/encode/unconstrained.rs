//! Which digits of a 256-bit decimal the encoders send (see
//! `shale_pgtypes::numeric::display`): unconstrained and negative-scale numerics at their
//! smallest exact scale, `numeric(p, s)` at its scale.

use datafusion::arrow::datatypes::i256;
use shale_pgtypes::numeric::display::{minimal_scale, shown_minimal};

use crate::encode::PgColumnType;

/// How values of a Decimal256 column of type `ty` with `scale` are shown.
pub(super) fn shown(ty: &PgColumnType, scale: i8) -> impl Fn(i256) -> (i256, i8) + use<> {
    let minimal = shown_minimal(ty.typmod);
    move |value| if minimal { minimal_scale(value, scale) } else { (value, scale) }
}
