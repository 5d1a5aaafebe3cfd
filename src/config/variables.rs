//! Reading one environment variable: the error that names it, and the
//! parsers every group of settings shares. A leaf: `settings` and
//! `client_ip` both read through it, and neither through the other.

use std::fmt;

/// A setting that could not be used, with the variable's name.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub message: String,
}

/// The variable parsed as a `T`, or `default` parsed when it is unset.
pub(super) fn parse_or<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, SettingsError>
where
    T::Err: fmt::Display,
{
    let text = var(name).unwrap_or_else(|| default.to_owned());
    text.parse().map_err(|e| SettingsError { variable: name, message: format!("'{text}' is invalid: {e}") })
}

/// A whole number in `range`, or `default` when unset.
pub(super) fn ranged(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, SettingsError> {
    let Some(text) = var(name) else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(SettingsError {
            variable: name,
            message: format!("'{text}' is not a whole number from {} to {}", range.start(), range.end()),
        }),
    }
}
