//! Session settings (GUCs): what SET changes and SHOW reports, with PostgreSQL's defaults.
//!
//! A setting Shale cannot honour is refused with 0A000 rather than stored and ignored: for
//! example only the ISO DateStyle and UTC time zone are implemented.

use std::collections::BTreeMap;

use crate::error::{CatalogError, sqlstate};

/// The PostgreSQL version Shale presents itself as.
pub const SERVER_VERSION: &str = "15.0 (Shale)";
/// `server_version_num` for [`SERVER_VERSION`].
pub const SERVER_VERSION_NUM: &str = "150000";

/// How a setting's value is checked.
#[derive(Clone, Copy)]
enum Rule {
    /// Any value.
    Any,
    /// Only these values (case-insensitive); anything else is 0A000.
    OneOf(&'static [&'static str]),
    /// An integer of at least the given value; smaller ones are 0A000.
    IntAtLeast(i64),
    /// One of these values (case-insensitive), stored as spelled here; anything else is
    /// 22023, as PostgreSQL answers for an enum setting.
    Choice(&'static [&'static str]),
    /// A duration in milliseconds (`200`, `'200ms'`, `'1s'`, `'5min'`), shown in the
    /// largest unit that is exact, as PostgreSQL shows it.
    Milliseconds,
    /// Cannot be changed (55P02).
    ReadOnly,
}

struct Spec {
    name: &'static str,
    default: &'static str,
    rule: Rule,
    /// Sent to the client as ParameterStatus when it changes (GUC_REPORT).
    report: bool,
}

const SPECS: &[Spec] = &[
    Spec { name: "application_name", default: "", rule: Rule::Any, report: true },
    Spec { name: "client_encoding", default: "UTF8", rule: Rule::OneOf(&["utf8", "unicode", "utf-8"]), report: true },
    Spec { name: "DateStyle", default: "ISO, MDY", rule: Rule::OneOf(&["iso, mdy", "iso", "mdy, iso", "iso,mdy"]), report: true },
    Spec { name: "TimeZone", default: "UTC", rule: Rule::OneOf(&["utc", "etc/utc", "gmt", "z", "zulu", "+00", "+00:00", "00:00", "0"]), report: true },
    Spec { name: "IntervalStyle", default: "postgres", rule: Rule::OneOf(&["postgres"]), report: true },
    Spec { name: "integer_datetimes", default: "on", rule: Rule::ReadOnly, report: true },
    Spec { name: "standard_conforming_strings", default: "on", rule: Rule::OneOf(&["on", "true", "1"]), report: true },
    Spec { name: "server_version", default: SERVER_VERSION, rule: Rule::ReadOnly, report: true },
    Spec { name: "server_version_num", default: SERVER_VERSION_NUM, rule: Rule::ReadOnly, report: false },
    Spec { name: "server_encoding", default: "UTF8", rule: Rule::ReadOnly, report: true },
    Spec { name: "is_superuser", default: "on", rule: Rule::ReadOnly, report: true },
    Spec { name: "in_hot_standby", default: "off", rule: Rule::ReadOnly, report: true },
    Spec { name: "default_transaction_read_only", default: "off", rule: Rule::Choice(&["off", "on"]), report: true },
    Spec {
        name: "default_transaction_isolation",
        default: "read committed",
        rule: Rule::Choice(&["read committed", "repeatable read", "serializable", "read uncommitted"]),
        report: false,
    },
    Spec {
        name: "synchronous_commit",
        default: "on",
        rule: Rule::Choice(&["on", "off", "local", "remote_write", "remote_apply"]),
        report: false,
    },
    Spec { name: "search_path", default: "\"$user\", public", rule: Rule::Any, report: false },
    Spec { name: "bytea_output", default: "hex", rule: Rule::OneOf(&["hex"]), report: false },
    Spec { name: "extra_float_digits", default: "1", rule: Rule::IntAtLeast(1), report: false },
    Spec { name: "client_min_messages", default: "notice", rule: Rule::OneOf(&["debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"]), report: false },
    Spec { name: "statement_timeout", default: "0", rule: Rule::Milliseconds, report: false },
    Spec { name: "lock_timeout", default: "0", rule: Rule::Milliseconds, report: false },
    Spec { name: "idle_in_transaction_session_timeout", default: "0", rule: Rule::OneOf(&["0"]), report: false },
    Spec { name: "max_identifier_length", default: "63", rule: Rule::ReadOnly, report: false },
    // The most columns an index key has (PgJDBC reads it for getImportedKeys).
    Spec { name: "max_index_keys", default: "32", rule: Rule::ReadOnly, report: false },
];

/// One session's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, String>,
    /// The schemas `search_path` names, resolved (`"$user"` is the session user's).
    path: Vec<String>,
    /// Reported settings changed since [`Settings::take_reports`] last ran, to send as
    /// ParameterStatus.
    reports: Vec<(String, String)>,
}

impl Settings {
    /// PostgreSQL's defaults, with the user's name as `session_authorization`.
    pub fn new(user: &str, application_name: Option<&str>) -> Self {
        let mut values: BTreeMap<String, String> =
            SPECS.iter().map(|s| (s.name.to_lowercase(), s.default.to_string())).collect();
        values.insert("session_authorization".into(), user.to_string());
        if let Some(app) = application_name {
            values.insert("application_name".into(), app.to_string());
        }
        let mut settings = Settings { values, path: Vec::new(), reports: Vec::new() };
        settings.resolve_search_path();
        settings
    }

    /// The schemas unqualified names are looked up in, in order.
    pub fn search_path(&self) -> &[String] {
        &self.path
    }

    fn resolve_search_path(&mut self) {
        let user = &self.values["session_authorization"];
        self.path = self.values["search_path"]
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| match s.trim_matches('"') {
                "$user" => user.clone(),
                name if s.starts_with('"') => name.to_string(),
                name => name.to_lowercase(),
            })
            .collect();
    }

    /// The name PostgreSQL spells a known setting with (`DateStyle`), as SHOW names its
    /// column.
    pub fn spelling(name: &str) -> Option<&'static str> {
        SPECS.iter().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| s.name)
    }

    /// `pg_settings.context` of a setting: `internal` for those that cannot change,
    /// `user` for the others (any session may SET them).
    pub fn context(name: &str) -> &'static str {
        match SPECS.iter().find(|s| s.name.eq_ignore_ascii_case(name)) {
            Some(Spec { rule: Rule::ReadOnly, .. }) => "internal",
            _ => "user",
        }
    }

    /// The reported settings changed since the last call, with their PostgreSQL
    /// spelling, to send as ParameterStatus.
    pub fn take_reports(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.reports)
    }

    /// Every setting with its value, in name order (`pg_settings`, `SHOW ALL`): the known
    /// ones with their PostgreSQL spelling, then custom ones.
    pub fn all(&self) -> Vec<(String, String)> {
        self.values
            .iter()
            .map(|(key, value)| {
                let name = SPECS.iter().find(|s| s.name.eq_ignore_ascii_case(key)).map_or(key.as_str(), |s| s.name);
                (name.to_string(), value.clone())
            })
            .collect()
    }

    /// The parameters sent as ParameterStatus at startup, with their PostgreSQL spelling.
    pub fn reported(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = SPECS
            .iter()
            .filter(|s| s.report)
            .map(|s| (s.name.to_string(), self.values[&s.name.to_lowercase()].clone()))
            .collect();
        out.push(("session_authorization".into(), self.values["session_authorization"].clone()));
        out
    }

    /// The value of `name` (SHOW), or 42704.
    pub fn get(&self, name: &str) -> Result<&str, CatalogError> {
        self.values.get(&name.to_lowercase()).map(String::as_str).ok_or_else(|| unrecognized(name))
    }

    /// Sets `name` (SET); a reported parameter's new value is queued for
    /// [`Settings::take_reports`].
    pub fn set(&mut self, name: &str, value: Option<String>) -> Result<(), CatalogError> {
        let key = name.to_lowercase();
        let spec = SPECS.iter().find(|s| s.name.eq_ignore_ascii_case(&key));
        let value = match (spec, value) {
            (Some(spec), None) => spec.default.to_string(),
            (Some(spec), Some(v)) => check(spec, v)?,
            // Custom, dotted parameters are PostgreSQL's placeholder variables.
            (None, v) if key.contains('.') => v.unwrap_or_default(),
            (None, _) => return Err(unrecognized(name)),
        };
        self.values.insert(key, value.clone());
        if let Some(spec) = spec.filter(|s| s.report) {
            self.reports.push((spec.name.to_string(), value));
        }
        self.resolve_search_path();
        Ok(())
    }

    /// RESET ALL: every setting that can change back to its default (reported ones are
    /// queued for [`Settings::take_reports`]).
    pub fn reset_all(&mut self) {
        for spec in SPECS.iter().filter(|s| !matches!(s.rule, Rule::ReadOnly)) {
            self.values.insert(spec.name.to_lowercase(), spec.default.to_string());
            if spec.report {
                self.reports.push((spec.name.to_string(), spec.default.to_string()));
            }
        }
        self.resolve_search_path();
    }

    /// Whether NOTICE messages reach the client under `client_min_messages`.
    pub fn notices_enabled(&self) -> bool {
        !matches!(self.values["client_min_messages"].as_str(), "warning" | "error")
    }
}

fn check(spec: &Spec, value: String) -> Result<String, CatalogError> {
    let ok = match spec.rule {
        Rule::Any => true,
        Rule::OneOf(allowed) => allowed.iter().any(|a| a.eq_ignore_ascii_case(value.trim())),
        Rule::IntAtLeast(min) => match value.trim().parse::<i64>() {
            Ok(n) => n >= min,
            Err(_) => {
                return Err(CatalogError::new(
                    sqlstate::INVALID_PARAMETER,
                    format!("invalid value for parameter \"{}\": \"{value}\"", spec.name),
                ));
            }
        },
        Rule::ReadOnly => {
            return Err(CatalogError::new("55P02", format!("parameter \"{}\" cannot be changed", spec.name)));
        }
        Rule::Choice(allowed) => {
            let chosen = allowed.iter().find(|a| a.eq_ignore_ascii_case(value.trim())).or(match value.trim() {
                "true" | "yes" | "1" => allowed.iter().find(|a| **a == "on"),
                "false" | "no" | "0" => allowed.iter().find(|a| **a == "off"),
                _ => None,
            });
            return chosen.map(|c| c.to_string()).ok_or_else(|| invalid_value(spec.name, &value));
        }
        Rule::Milliseconds => return milliseconds(&value).map(show_milliseconds).ok_or_else(|| invalid_value(spec.name, &value)),
    };
    if !ok {
        return Err(CatalogError::unsupported(format!("{} = '{value}'", spec.name)));
    }
    // Keep PostgreSQL's canonical spelling of the defaults.
    Ok(match spec.rule {
        Rule::OneOf(_) if value.trim().eq_ignore_ascii_case(spec.default) => spec.default.to_string(),
        Rule::OneOf(_) if spec.name == "DateStyle" || spec.name == "client_encoding" => spec.default.to_string(),
        _ => value,
    })
}

fn invalid_value(name: &str, value: &str) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, format!("invalid value for parameter \"{name}\": \"{value}\""))
}

/// A duration setting in milliseconds: a number (of milliseconds) with an optional unit.
fn milliseconds(value: &str) -> Option<u64> {
    let value = value.trim();
    let split = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let scale = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(scale)
}

/// A duration as PostgreSQL shows it: in the largest unit that divides it.
fn show_milliseconds(ms: u64) -> String {
    let units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "min"), (1_000, "s")];
    match units.iter().find(|(size, _)| ms > 0 && ms % size == 0) {
        Some((size, unit)) => format!("{}{unit}", ms / size),
        None if ms == 0 => "0".to_string(),
        None => format!("{ms}ms"),
    }
}

impl Settings {
    /// `lock_timeout`: `None` for 0, waiting as long as it takes.
    pub fn lock_timeout(&self) -> Option<std::time::Duration> {
        milliseconds(&self.values["lock_timeout"]).filter(|ms| *ms > 0).map(std::time::Duration::from_millis)
    }

    /// `statement_timeout`: `None` for 0, no limit.
    pub fn statement_timeout(&self) -> Option<std::time::Duration> {
        milliseconds(&self.values["statement_timeout"]).filter(|ms| *ms > 0).map(std::time::Duration::from_millis)
    }

    /// Whether commits wait for the log to reach the disk (`synchronous_commit` other
    /// than off).
    pub fn synchronous_commit(&self) -> bool {
        self.values["synchronous_commit"] != "off"
    }
}

fn unrecognized(name: &str) -> CatalogError {
    CatalogError::new(sqlstate::UNDEFINED_PARAMETER, format!("unrecognized configuration parameter \"{name}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_show() {
        let mut s = Settings::new("postgres", None);
        assert_eq!(s.get("DateStyle").unwrap(), "ISO, MDY");
        s.set("application_name", Some("x".into())).unwrap();
        assert_eq!(s.take_reports(), vec![("application_name".into(), "x".into())]);
        assert_eq!(s.get("APPLICATION_NAME").unwrap(), "x");
        assert_eq!(s.set("DateStyle", Some("German".into())).unwrap_err().code, "0A000");
        assert_eq!(s.set("nope", Some("1".into())).unwrap_err().code, "42704");
        s.set("my.var", Some("1".into())).unwrap();
        assert_eq!(s.take_reports(), vec![]);
        assert_eq!(s.set("server_version", Some("1".into())).unwrap_err().code, "55P02");
        s.set("default_transaction_isolation", Some("SERIALIZABLE".into())).unwrap();
        assert_eq!(s.get("default_transaction_isolation").unwrap(), "serializable");
        assert_eq!(s.set("synchronous_commit", Some("maybe".into())).unwrap_err().code, "22023");
        s.set("synchronous_commit", Some("false".into())).unwrap();
        assert!(!s.synchronous_commit());
    }

    #[test]
    fn durations_read_and_show_like_postgres() {
        let mut s = Settings::new("postgres", None);
        assert_eq!(s.lock_timeout(), None);
        for (written, shown, ms) in [("200ms", "200ms", 200), ("1s", "1s", 1000), ("5000", "5s", 5000), ("90s", "90s", 90_000), ("2min", "2min", 120_000)] {
            s.set("lock_timeout", Some(written.into())).unwrap();
            assert_eq!((s.get("lock_timeout").unwrap(), s.lock_timeout()), (shown, Some(std::time::Duration::from_millis(ms))));
        }
        assert_eq!(s.set("lock_timeout", Some("soon".into())).unwrap_err().code, "22023");
    }
}
