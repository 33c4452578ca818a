//! jsonb's canonical text: object keys ordered as PostgreSQL orders them (shorter keys
//! first, then bytewise), duplicate keys resolved to the last value, `", "` and `": "`
//! separators.

use serde_json::Value;

/// The text PostgreSQL prints for a jsonb value.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(b.0)));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write(item, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_keys_like_postgres() {
        let v: Value = serde_json::from_str(r#"{"bb":1,"a":[1,2,{"c":null}],"ab":"x","a":true}"#).unwrap();
        assert_eq!(canonical(&v), r#"{"a": true, "ab": "x", "bb": 1}"#);
    }
}
