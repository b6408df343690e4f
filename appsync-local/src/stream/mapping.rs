//! An event source mapping as Lambda applies it: what template.yaml sets (read through
//! `stack_template`), and Lambda's defaults for what it leaves out.

use std::time::Duration;

use stack_template::{EventSourceMapping, Function, Template};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct StreamMapping {
    /// Logical id of the table whose stream is read.
    pub table: String,
    /// The binary of the function that receives the batches.
    pub function: String,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub report_batch_item_failures: bool,
    pub bisect_on_error: bool,
    /// None: retry until the record expires (Lambda's default of -1).
    pub maximum_retry_attempts: Option<u32>,
    pub starting_position: String,
}

impl StreamMapping {
    /// Every DynamoDB stream mapping of the template.
    pub fn all(template: &Template) -> Result<Vec<Self>> {
        template
            .stream_mappings()
            .map(|m| Self::from_template(template, m))
            .collect()
    }

    fn from_template(template: &Template, m: &EventSourceMapping) -> Result<Self> {
        let p = &m.properties;
        let table = p.stream_table().ok_or_else(|| {
            Error::Config(format!("{}: EventSourceArn is not a table's stream", m.id))
        })?;
        let function = p
            .function()
            .and_then(|f| template.function(f))
            .and_then(Function::binary)
            .ok_or_else(|| {
                Error::Config(format!(
                    "{}: FunctionName names no function with a binary",
                    m.id
                ))
            })?;
        Ok(Self {
            table: table.to_string(),
            function: function.to_string(),
            batch_size: p.batch_size.unwrap_or(100).max(1) as usize,
            batching_window: Duration::from_secs(
                p.maximum_batching_window_in_seconds.unwrap_or(0).max(0) as u64,
            ),
            report_batch_item_failures: p.reports_batch_item_failures(),
            bisect_on_error: p.bisect_batch_on_function_error.unwrap_or(false),
            maximum_retry_attempts: p
                .maximum_retry_attempts
                .filter(|n| *n >= 0)
                .map(|n| n as u32),
            starting_position: p
                .starting_position
                .clone()
                .unwrap_or_else(|| "TRIM_HORIZON".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_mapping_with_lambdas_defaults() {
        let mappings = StreamMapping::all(Template::repository()).unwrap();
        let mapping = &mappings[0];
        assert_eq!(mapping.table, "ActivitiesTable");
        assert_eq!(mapping.function, "aggregator");
        assert!(mapping.report_batch_item_failures);
        assert_eq!(mapping.batch_size, 100);

        let bare = Template::parse(
            r#"
Resources:
  T: { Type: AWS::DynamoDB::Table, Properties: {} }
  F: { Type: AWS::Serverless::Function, Metadata: { BuildProperties: { Binary: fn } } }
  M:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { EventSourceArn: !GetAtt T.StreamArn, FunctionName: !Ref F }
"#,
        )
        .unwrap();
        let m = &StreamMapping::all(&bare).unwrap()[0];
        assert_eq!((m.table.as_str(), m.function.as_str()), ("T", "fn"));
        assert_eq!(m.batch_size, 100);
        assert_eq!(m.batching_window, Duration::ZERO);
        assert_eq!(m.maximum_retry_attempts, None);
        assert!(!m.report_batch_item_failures && !m.bisect_on_error);
        assert_eq!(m.starting_position, "TRIM_HORIZON");
    }
}
