//! The functions' own metrics, as AWS Lambda Powertools users have them: CloudWatch embedded
//! metric format (EMF). Code counts with the `metrics` crate's macros (`counter!`,
//! `histogram!`); after each invocation the handler flushes what it counted as one EMF JSON
//! line per dimension set on stdout, and CloudWatch Logs turns those lines into metrics. No
//! PutMetricData call, no background thread (Lambda freezes the process between invocations).
//!
//! Namespace and service, with Powertools' variable names: `POWERTOOLS_METRICS_NAMESPACE`
//! (the template sets the stack name) and `POWERTOOLS_SERVICE_NAME`, the `service` dimension.

use std::io::Write;

pub use metrics_cloudwatch_embedded::Collector;

/// The namespace when `POWERTOOLS_METRICS_NAMESPACE` is unset (local runs).
pub const DEFAULT_NAMESPACE: &str = "mussel";

/// The recorder every `counter!` in this process reports to.
#[derive(Clone, Copy)]
pub struct Emf(&'static Collector);

impl std::fmt::Debug for Emf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Emf(..)")
    }
}

impl Emf {
    /// Installs the process-wide recorder, reading namespace and service from `lookup`
    /// (`std::env::var` in a Lambda). A process has one: a second call fails.
    pub fn install(
        default_service: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let namespace =
            lookup("POWERTOOLS_METRICS_NAMESPACE").unwrap_or_else(|| DEFAULT_NAMESPACE.into());
        let service =
            lookup("POWERTOOLS_SERVICE_NAME").unwrap_or_else(|| default_service.to_string());
        metrics_cloudwatch_embedded::Builder::new()
            .cloudwatch_namespace(namespace)
            .with_dimension("service", service)
            .init()
            .map(Self)
            .map_err(|e| format!("metrics recorder: {e}"))
    }

    /// Writes what was counted since the last flush (counters with nothing new are left
    /// out, so an invocation that counted nothing writes nothing).
    pub fn flush_to(&self, out: impl Write) -> std::io::Result<()> {
        self.0.flush(out)
    }

    /// What a flush would write, one parsed JSON document per line (for tests, which read
    /// the records as CloudWatch would).
    pub fn flush_documents(&self) -> std::io::Result<Vec<serde_json::Value>> {
        let mut out = Vec::new();
        self.flush_to(&mut out)?;
        out.split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(line).map_err(std::io::Error::other))
            .collect()
    }

    /// After an invocation: to stdout, where Lambda's log capture picks it up. A failed
    /// write loses the metrics, never the invocation.
    pub fn flush(&self) {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if let Err(e) = self.flush_to(&mut out).and_then(|()| out.flush()) {
            tracing::warn!(error = %e, "could not write metrics");
        }
    }
}

/// A metric in flushed documents (see [`Emf::flush_documents`]): its declared unit, its
/// value, and the document it is in (namespace, dimensions).
pub fn find<'a>(
    docs: &'a [serde_json::Value],
    name: &str,
) -> Option<(&'a str, &'a serde_json::Value, &'a serde_json::Value)> {
    docs.iter().find_map(|d| {
        let declared = d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()?
            .iter()
            .find(|m| m["Name"] == name)?;
        Some((declared["Unit"].as_str()?, &d[name], d))
    })
}
