//! AppSync's predefined scalars (AWSDateTime, AWSDate, ...): the SDL that declares them, and
//! the checks AppSync applies to their values, in arguments and variables (before any
//! resolver runs) and in results.

use serde_json::Value;

/// The AWS scalars and directives AppSync predefines; prepended to `schema.graphql` (only the
/// ones it does not declare itself).
pub const PRELUDE: &[(&str, &str)] = &[
    ("AWSDate", "scalar AWSDate"),
    ("AWSTime", "scalar AWSTime"),
    ("AWSDateTime", "scalar AWSDateTime"),
    ("AWSTimestamp", "scalar AWSTimestamp"),
    ("AWSEmail", "scalar AWSEmail"),
    ("AWSJSON", "scalar AWSJSON"),
    ("AWSURL", "scalar AWSURL"),
    ("AWSPhone", "scalar AWSPhone"),
    ("AWSIPAddress", "scalar AWSIPAddress"),
    (
        "@aws_subscribe",
        "directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION",
    ),
    (
        "@aws_api_key",
        "directive @aws_api_key on FIELD_DEFINITION | OBJECT",
    ),
    (
        "@aws_iam",
        "directive @aws_iam on FIELD_DEFINITION | OBJECT",
    ),
    (
        "@aws_oidc",
        "directive @aws_oidc on FIELD_DEFINITION | OBJECT",
    ),
    (
        "@aws_lambda",
        "directive @aws_lambda on FIELD_DEFINITION | OBJECT",
    ),
    (
        "@aws_cognito_user_pools",
        "directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT",
    ),
    (
        "@aws_auth",
        "directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION",
    ),
];

/// The prelude lines `sdl` does not already declare.
pub fn prelude_for(sdl: &str) -> String {
    let declared = |name: &str| {
        let needle = match name.strip_prefix('@') {
            Some(d) => format!("directive @{d}"),
            None => format!("scalar {name}"),
        };
        sdl.lines().any(|l| {
            let l = l.trim_start();
            l.strip_prefix(&needle).is_some_and(|rest| {
                rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
    };
    PRELUDE
        .iter()
        .filter(|(name, _)| !declared(name))
        .map(|(_, line)| format!("{line}\n"))
        .collect()
}

pub fn is_aws_scalar(name: &str) -> bool {
    PRELUDE.iter().any(|(n, _)| *n == name)
}

/// Whether `value` is one of the AWS scalar's (callers word the refusal as AppSync does).
pub fn check(scalar: &str, value: &Value) -> bool {
    let text = || value.as_str();
    match scalar {
        "AWSDate" => text().and_then(date),
        "AWSTime" => text().and_then(time),
        "AWSDateTime" => text().and_then(date_time),
        "AWSTimestamp" => value.is_i64().then_some(()),
        "AWSEmail" => text().and_then(email),
        "AWSJSON" => text().and_then(|t| serde_json::from_str::<Value>(t).ok().map(drop)),
        "AWSURL" => text().and_then(url),
        "AWSPhone" => text().and_then(phone),
        "AWSIPAddress" => text().and_then(ip),
        _ => Some(()),
    }
    .is_some()
}

/// How graphql-java names the expected kind in AppSync's messages.
pub fn described(scalar: &str) -> &'static str {
    match scalar {
        "AWSDate" => "Date",
        "AWSTime" => "Time",
        "AWSDateTime" => "DateTime",
        "AWSTimestamp" => "Timestamp",
        "AWSEmail" => "Email",
        "AWSJSON" => "JSON",
        "AWSURL" => "URL",
        "AWSPhone" => "Phone",
        "AWSIPAddress" => "IPAddress",
        _ => "value",
    }
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "List",
        Value::Object(_) => "Object",
    }
}

fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    if s.len() < n || !s.as_bytes()[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// `YYYY-MM-DD` (optionally `-YYYY`), a real calendar day; the rest is returned.
fn calendar_day(s: &str) -> Option<&str> {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (year, s) = digits(s, 4)?;
    let (month, s) = digits(s.strip_prefix('-')?, 2)?;
    let (day, s) = digits(s.strip_prefix('-')?, 2)?;
    let year = if negative {
        -(year as i32)
    } else {
        year as i32
    };
    chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    Some(s)
}

/// `Z` or `±hh:mm` or `±hh:mm:ss`.
fn offset(s: &str) -> Option<&str> {
    if let Some(rest) = s.strip_prefix('Z') {
        return Some(rest);
    }
    let s = s.strip_prefix('+').or_else(|| s.strip_prefix('-'))?;
    let (h, s) = digits(s, 2)?;
    let (m, mut s) = digits(s.strip_prefix(':')?, 2)?;
    if h > 23 || m > 59 {
        return None;
    }
    if let Some(rest) = s.strip_prefix(':') {
        let (sec, rest) = digits(rest, 2)?;
        if sec > 59 {
            return None;
        }
        s = rest;
    }
    Some(s)
}

/// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.f` (1 to 9 digits); the rest is returned.
fn clock(s: &str) -> Option<&str> {
    let (h, s) = digits(s, 2)?;
    let (m, mut s) = digits(s.strip_prefix(':')?, 2)?;
    if h > 23 || m > 59 {
        return None;
    }
    if let Some(rest) = s.strip_prefix(':') {
        let (sec, rest) = digits(rest, 2)?;
        if sec > 59 {
            return None;
        }
        s = rest;
        if let Some(frac) = s.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if !(1..=9).contains(&n) {
                return None;
            }
            s = &frac[n..];
        }
    }
    Some(s)
}

/// What follows a date or a time: nothing, or an offset and nothing.
fn zone(rest: &str) -> Option<()> {
    (rest.is_empty() || offset(rest)?.is_empty()).then_some(())
}

fn date(s: &str) -> Option<()> {
    zone(calendar_day(s)?)
}

fn time(s: &str) -> Option<()> {
    zone(clock(s)?)
}

fn date_time(s: &str) -> Option<()> {
    let rest = clock(calendar_day(s)?.strip_prefix('T')?)?;
    // AppSync requires the offset on AWSDateTime.
    offset(rest)?.is_empty().then_some(())
}

fn email(s: &str) -> Option<()> {
    let (local, domain) = s.rsplit_once('@')?;
    let ok_part = |p: &str| !p.is_empty() && !p.chars().any(|c| c.is_whitespace() || c == '@');
    (ok_part(local) && ok_part(domain) && !domain.starts_with('.') && !domain.ends_with('.'))
        .then_some(())
}

fn url(s: &str) -> Option<()> {
    // Stricter than the URL standard, as AppSync is: the standard percent-encodes spaces and
    // keeps empty path segments; AppSync refuses whitespace and "//" inside the path.
    let parsed = url::Url::parse(s).ok()?;
    (!s.chars().any(char::is_whitespace) && !parsed.path().contains("//")).then_some(())
}

fn phone(s: &str) -> Option<()> {
    let body = s.strip_prefix('+').unwrap_or(s);
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.');
    let n = body.chars().filter(char::is_ascii_digit).count();
    (body.chars().all(allowed) && (7..=15).contains(&n)).then_some(())
}

fn ip(s: &str) -> Option<()> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: std::net::IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    match prefix {
        Some(p) => (p.parse::<u8>().ok()? <= max).then_some(()),
        None => Some(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(s: &str, v: Value) -> bool {
        check(s, &v)
    }

    #[test]
    fn date_times_need_an_offset_and_a_real_day() {
        for good in [
            "1970-01-01T12:00:00.000Z",
            "1970-01-01T12:00Z",
            "1970-01-01T12:00:00.123456789+05:30",
            "2024-02-29T23:59:59-07:00:00",
            "-0001-01-01T00:00:00Z",
        ] {
            assert!(ok("AWSDateTime", json!(good)), "{good}");
        }
        for bad in [
            "1970-01-01T12:00:00",
            "1970-01-01",
            "2023-02-29T00:00:00Z",
            "1970-13-01T00:00:00Z",
            "1970-01-01T24:00:00Z",
            "1970-01-01T12:00:00.Z",
            "1970-01-01T12:00:00.1234567890Z",
            "yesterday",
            "",
        ] {
            assert!(!ok("AWSDateTime", json!(bad)), "{bad}");
        }
        assert!(!ok("AWSDateTime", json!(12)));
    }

    #[test]
    fn dates_and_times_take_an_optional_offset() {
        assert!(ok("AWSDate", json!("2026-11-21")));
        assert!(ok("AWSDate", json!("2026-11-21Z")));
        assert!(ok("AWSDate", json!("2026-11-21+01:00")));
        assert!(!ok("AWSDate", json!("2026-11-31")));
        assert!(!ok("AWSDate", json!("2026-11-21T00:00Z")));
        assert!(ok("AWSTime", json!("12:30")));
        assert!(ok("AWSTime", json!("12:30:24.5-07:00")));
        assert!(!ok("AWSTime", json!("25:00")));
    }

    #[test]
    fn the_other_scalars() {
        assert!(ok("AWSTimestamp", json!(1_700_000_000)));
        assert!(!ok("AWSTimestamp", json!("1700000000")));
        assert!(!ok("AWSTimestamp", json!(1.5)));
        assert!(ok("AWSEmail", json!("a.b@example.com")));
        assert!(!ok("AWSEmail", json!("not an email")));
        assert!(ok("AWSJSON", json!("{\"a\":1}")));
        assert!(!ok("AWSJSON", json!("{a:1}")));
        assert!(!ok("AWSJSON", json!({"a": 1})));
        assert!(ok("AWSURL", json!("https://example.com/a/b?c=d")));
        assert!(ok("AWSURL", json!("mailto:someone@example.com")));
        assert!(!ok("AWSURL", json!("example.com")));
        assert!(!ok("AWSURL", json!("https://example.com/a//b")));
        assert!(ok("AWSPhone", json!("+1 555-123-4567")));
        assert!(!ok("AWSPhone", json!("call me")));
        assert!(ok("AWSIPAddress", json!("127.0.0.1")));
        assert!(ok("AWSIPAddress", json!("10.0.0.0/8")));
        assert!(ok("AWSIPAddress", json!("::1")));
        assert!(!ok("AWSIPAddress", json!("300.0.0.1")));
        assert!(!ok("AWSIPAddress", json!("10.0.0.0/33")));
    }

    #[test]
    fn the_prelude_skips_what_the_schema_declares() {
        let p = prelude_for("scalar AWSDateTime\ndirective @aws_api_key on OBJECT\n");
        assert!(!p.contains("scalar AWSDateTime\n"));
        assert!(p.contains("scalar AWSDate\n"));
        assert!(!p.contains("directive @aws_api_key "));
        assert!(p.contains("directive @aws_iam "));
    }
}
