//! Random values and hashes: PostgreSQL's `gen_random_uuid()`, uuid-ossp's
//! `uuid_generate_v4()`, and pgcrypto's `gen_random_bytes(n)`, `digest(data, type)` and
//! `hmac(data, key, type)`.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use hmac::{Hmac, Mac};
use sha2::Digest;

use crate::error::PgError;
use crate::json_functions::row_by_row;
use crate::types::SqlType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// A random (version 4) UUID per row.
    RandomUuid,
    /// `n` random bytes.
    RandomBytes,
    /// A hash of the data.
    Digest,
    /// A keyed hash of the data.
    Hmac,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct CryptoFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

/// The functions of this module.
pub fn functions() -> Vec<ScalarUDF> {
    [
        ("gen_random_uuid", Kind::RandomUuid, Signature::nullary(Volatility::Volatile)),
        ("uuid_generate_v4", Kind::RandomUuid, Signature::nullary(Volatility::Volatile)),
        ("gen_random_bytes", Kind::RandomBytes, Signature::any(1, Volatility::Volatile)),
        ("digest", Kind::Digest, Signature::any(2, Volatility::Immutable)),
        ("hmac", Kind::Hmac, Signature::any(3, Volatility::Immutable)),
    ]
    .into_iter()
    .map(|(name, kind, signature)| ScalarUDF::new_from_impl(CryptoFunction { name, kind, signature }))
    .collect()
}

impl ScalarUDFImpl for CryptoFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::RandomUuid => SqlType::Uuid.arrow_type(),
            _ => DataType::Binary,
        })
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(match self.kind {
            Kind::RandomUuid => SqlType::Uuid.tagged_field(self.name, false),
            _ => Field::new(self.name, DataType::Binary, true),
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match self.kind {
            // One value per row, though there are no arguments.
            Kind::RandomUuid => {
                let uuids: StringArray = (0..args.number_rows).map(|_| Some(uuid::Uuid::new_v4().to_string())).collect();
                Ok(ColumnarValue::Array(Arc::new(uuids)))
            }
            Kind::RandomBytes => random_bytes(&args),
            Kind::Digest => row_by_row(&args, |row| hashed(&row[0], None, &row[1])),
            Kind::Hmac => row_by_row(&args, |row| hashed(&row[0], Some(&row[1]), &row[2])),
        }
    }
}

/// The most bytes `gen_random_bytes` gives, as pgcrypto's.
const MAX_RANDOM_BYTES: i64 = 1024;

/// `gen_random_bytes(n)` for each row (a constant `n` still gives each row its own bytes).
fn random_bytes(args: &ScalarFunctionArgs) -> Result<ColumnarValue> {
    let counts = args.args[0].to_array(args.number_rows)?;
    let values = (0..args.number_rows)
        .map(|row| {
            let n = match ScalarValue::try_from_array(&counts, row)? {
                v if v.is_null() => return Ok(ScalarValue::Binary(None)),
                v => v.cast_to(&DataType::Int64)?,
            };
            let ScalarValue::Int64(Some(n)) = n else { return Ok(ScalarValue::Binary(None)) };
            if !(1..=MAX_RANDOM_BYTES).contains(&n) {
                return Err(PgError::new("39000", "Length not in range").into_datafusion());
            }
            let mut bytes = vec![0u8; n as usize];
            getrandom::fill(&mut bytes).map_err(|e| PgError::internal(format!("no random bytes: {e}")).into_datafusion())?;
            Ok(ScalarValue::Binary(Some(bytes)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ColumnarValue::Array(ScalarValue::iter_to_array(values)?))
}

/// The bytes of a text or bytea value (`None` for NULL).
fn bytes_of(value: &ScalarValue) -> Option<Vec<u8>> {
    match value {
        ScalarValue::Binary(v) | ScalarValue::LargeBinary(v) | ScalarValue::BinaryView(v) => v.clone(),
        ScalarValue::FixedSizeBinary(_, v) => v.clone(),
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v.as_ref().map(|s| s.as_bytes().to_vec()),
        other if other.is_null() => None,
        other => Some(other.to_string().into_bytes()),
    }
}

/// The hash `$digest` of `$data`, keyed (HMAC) when `$key` is `Some`.
macro_rules! hash {
    ($digest:ty, $data:expr, $key:expr) => {
        match $key {
            None => <$digest as Digest>::digest($data).to_vec(),
            Some(key) => {
                let mut mac = <Hmac<$digest> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
                mac.update($data);
                mac.finalize().into_bytes().to_vec()
            }
        }
    };
}

/// `digest(data, type)` (no key) or `hmac(data, key, type)`: NULL when an argument is.
fn hashed(data: &ScalarValue, key: Option<&ScalarValue>, algorithm: &ScalarValue) -> crate::error::Result<ScalarValue> {
    let (Some(data), Some(algorithm)) = (bytes_of(data), bytes_of(algorithm)) else { return Ok(ScalarValue::Binary(None)) };
    let key = match key.map(bytes_of) {
        Some(None) => return Ok(ScalarValue::Binary(None)),
        Some(Some(key)) => Some(key),
        None => None,
    };
    let name = String::from_utf8_lossy(&algorithm).to_lowercase();
    let key = key.as_deref();
    let out = match name.as_str() {
        "md5" => hash!(md5::Md5, &data, key),
        "sha1" => hash!(sha1::Sha1, &data, key),
        "sha224" => hash!(sha2::Sha224, &data, key),
        "sha256" => hash!(sha2::Sha256, &data, key),
        "sha384" => hash!(sha2::Sha384, &data, key),
        "sha512" => hash!(sha2::Sha512, &data, key),
        _ => return Err(PgError::new("39000", format!("Cannot use \"{name}\": No such hash algorithm"))),
    };
    Ok(ScalarValue::Binary(Some(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &ScalarValue) -> String {
        let ScalarValue::Binary(Some(b)) = bytes else { panic!("{bytes:?}") };
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn text(s: &str) -> ScalarValue {
        ScalarValue::Utf8(Some(s.to_string()))
    }

    #[test]
    fn digests_and_hmacs_are_pgcryptos() {
        // SELECT encode(digest('abc', 'sha256'), 'hex') in PostgreSQL with pgcrypto.
        let sha256 = hashed(&text("abc"), None, &text("sha256")).expect("digest");
        assert_eq!(hex(&sha256), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let md5 = hashed(&text("abc"), None, &text("MD5")).expect("digest");
        assert_eq!(hex(&md5), "900150983cd24fb0d6963f7d28e17f72");
        // SELECT encode(hmac('abc', 'key', 'sha1'), 'hex')
        let hmac = hashed(&text("abc"), Some(&text("key")), &text("sha1")).expect("hmac");
        assert_eq!(hex(&hmac), "4fd0b215276ef12f2b3e4c8ecac2811498b656fc");
        let e = hashed(&text("abc"), None, &text("sha3")).expect_err("unknown");
        assert_eq!(e.code, "39000");
        assert_eq!(hashed(&ScalarValue::Utf8(None), None, &text("md5")).expect("null"), ScalarValue::Binary(None));
    }
}
