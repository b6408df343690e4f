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

/// Checks one value of an AWS scalar. `Err` says why it is not valid.
pub fn check(scalar: &str, value: &Value) -> Result<(), String> {
    let text = || {
        value
            .as_str()
            .ok_or_else(|| format!("expected a string, got {}", kind(value)))
    };
    match scalar {
        "AWSDate" => date(text()?),
        "AWSTime" => time(text()?),
        "AWSDateTime" => date_time(text()?),
        "AWSTimestamp" => match value {
            Value::Number(n) if n.is_i64() => Ok(()),
            _ => Err(format!("expected an integer, got {}", kind(value))),
        },
        "AWSEmail" => email(text()?),
        "AWSJSON" => serde_json::from_str::<Value>(text()?)
            .map(drop)
            .map_err(|e| format!("not JSON: {e}")),
        "AWSURL" => url(text()?),
        "AWSPhone" => phone(text()?),
        "AWSIPAddress" => ip(text()?),
        _ => Ok(()),
    }
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

fn digits(s: &str, n: usize) -> Result<(u32, &str), String> {
    if s.len() < n || !s.as_bytes()[..n].iter().all(u8::is_ascii_digit) {
        return Err(format!("expected {n} digits at {s:?}"));
    }
    Ok((s[..n].parse().map_err(|_| "bad digits")?, &s[n..]))
}

fn expect(s: &str, c: char) -> Result<&str, String> {
    s.strip_prefix(c)
        .ok_or_else(|| format!("expected '{c}' at {s:?}"))
}

/// `YYYY-MM-DD` (optionally `-YYYY`), a real calendar day; the rest is returned.
fn calendar_day(s: &str) -> Result<&str, String> {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (year, s) = digits(s, 4)?;
    let (month, s) = digits(expect(s, '-')?, 2)?;
    let (day, s) = digits(expect(s, '-')?, 2)?;
    let year = if negative {
        -(year as i32)
    } else {
        year as i32
    };
    chrono::NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("{year:04}-{month:02}-{day:02} is not a calendar day"))?;
    Ok(s)
}

/// `Z` or `±hh:mm` or `±hh:mm:ss`.
fn offset(s: &str) -> Result<&str, String> {
    if let Some(rest) = s.strip_prefix('Z') {
        return Ok(rest);
    }
    let s = s
        .strip_prefix('+')
        .or_else(|| s.strip_prefix('-'))
        .ok_or_else(|| format!("expected a time zone offset at {s:?}"))?;
    let (h, s) = digits(s, 2)?;
    let (m, mut s) = digits(expect(s, ':')?, 2)?;
    if h > 23 || m > 59 {
        return Err("offset out of range".into());
    }
    if let Some(rest) = s.strip_prefix(':') {
        let (sec, rest) = digits(rest, 2)?;
        if sec > 59 {
            return Err("offset out of range".into());
        }
        s = rest;
    }
    Ok(s)
}

/// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.f` (1 to 9 digits); the rest is returned.
fn clock(s: &str) -> Result<&str, String> {
    let (h, s) = digits(s, 2)?;
    let (m, mut s) = digits(expect(s, ':')?, 2)?;
    if h > 23 || m > 59 {
        return Err("time out of range".into());
    }
    if let Some(rest) = s.strip_prefix(':') {
        let (sec, rest) = digits(rest, 2)?;
        if sec > 59 {
            return Err("seconds out of range".into());
        }
        s = rest;
        if let Some(frac) = s.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if !(1..=9).contains(&n) {
                return Err("expected 1 to 9 digits of fractional seconds".into());
            }
            s = &frac[n..];
        }
    }
    Ok(s)
}

fn end(s: &str) -> Result<(), String> {
    if s.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected {s:?}"))
    }
}

fn date(s: &str) -> Result<(), String> {
    let rest = calendar_day(s)?;
    if rest.is_empty() {
        return Ok(());
    }
    end(offset(rest)?)
}

fn time(s: &str) -> Result<(), String> {
    let rest = clock(s)?;
    if rest.is_empty() {
        return Ok(());
    }
    end(offset(rest)?)
}

fn date_time(s: &str) -> Result<(), String> {
    let rest = calendar_day(s)?;
    let rest = clock(expect(rest, 'T')?)?;
    // AppSync requires the offset on AWSDateTime.
    end(offset(rest)?)
}

fn email(s: &str) -> Result<(), String> {
    let (local, domain) = s.rsplit_once('@').ok_or("no '@'")?;
    let ok_part = |p: &str| !p.is_empty() && !p.chars().any(|c| c.is_whitespace() || c == '@');
    if ok_part(local) && ok_part(domain) && !domain.starts_with('.') && !domain.ends_with('.') {
        Ok(())
    } else {
        Err("not an e-mail address".into())
    }
}

fn url(s: &str) -> Result<(), String> {
    // Stricter than the URL standard, as AppSync is: the standard percent-encodes spaces and
    // keeps empty path segments; AppSync refuses whitespace and "//" inside the path.
    if s.chars().any(char::is_whitespace) {
        return Err("whitespace in a URL".into());
    }
    let parsed = url::Url::parse(s).map_err(|e| format!("not a URL with a scheme: {e}"))?;
    if parsed.path().contains("//") {
        return Err("'//' in the path".into());
    }
    Ok(())
}

fn phone(s: &str) -> Result<(), String> {
    let body = s.strip_prefix('+').unwrap_or(s);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        return Err("unexpected characters in a phone number".into());
    }
    let n = body.chars().filter(char::is_ascii_digit).count();
    if (7..=15).contains(&n) {
        Ok(())
    } else {
        Err("a phone number has 7 to 15 digits".into())
    }
}

fn ip(s: &str) -> Result<(), String> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: std::net::IpAddr = addr.parse().map_err(|_| "not an IP address")?;
    if let Some(p) = prefix {
        let bits: u8 = p.parse().map_err(|_| "bad prefix length")?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if bits > max {
            return Err("prefix length out of range".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(s: &str, v: Value) -> bool {
        check(s, &v).is_ok()
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
