//! What the function's reply to a batch means, with `ReportBatchItemFailures`: no failures,
//! all done; otherwise delivery resumes from the lowest reported sequence number (compared as
//! the integers they are), and the records before it are done. An empty, null or unknown
//! identifier makes the whole batch fail, as Lambda treats it.

use aggregator::seq::SequenceNumber;
use serde_json::Value;

#[derive(Debug, PartialEq)]
pub enum Verdict {
    AllDone,
    /// The first `done` records are done; the next one, `from`, heads the next delivery.
    ResumeAt {
        done: usize,
        from: String,
    },
    Unusable,
}

/// `seqs`: the batch's sequence numbers, in delivery order.
pub fn verdict(response: &Value, seqs: &[String]) -> Verdict {
    let failures = match response.get("batchItemFailures").and_then(Value::as_array) {
        None => return Verdict::AllDone,
        Some(f) if f.is_empty() => return Verdict::AllDone,
        Some(f) => f,
    };
    let ids: Option<Vec<SequenceNumber>> = failures
        .iter()
        .map(|f| {
            f.get("itemIdentifier")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(SequenceNumber::new)
        })
        .collect();
    let Some(lowest) = ids.and_then(|ids| ids.into_iter().min()) else {
        return Verdict::Unusable;
    };
    match seqs.iter().position(|s| s == lowest.as_str()) {
        Some(done) => Verdict::ResumeAt {
            done,
            from: lowest.to_string(),
        },
        None => Verdict::Unusable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failures(ids: &[&str]) -> Value {
        json!({ "batchItemFailures": ids.iter().map(|i| json!({ "itemIdentifier": i })).collect::<Vec<_>>() })
    }

    #[test]
    fn the_lowest_reported_record_is_the_numeric_minimum() {
        let seqs: Vec<String> = [
            "900",
            "1000",
            "4100000000021000000001",
            "4100000000021000000002",
        ]
        .map(String::from)
        .to_vec();
        // As text "1000" < "900"; as integers it is the other way round.
        assert_eq!(
            verdict(&failures(&["1000", "900"]), &seqs),
            Verdict::ResumeAt {
                done: 0,
                from: "900".into()
            }
        );
        assert_eq!(
            verdict(
                &failures(&["4100000000021000000002", "4100000000021000000001"]),
                &seqs
            ),
            Verdict::ResumeAt {
                done: 2,
                from: "4100000000021000000001".into()
            }
        );
    }

    #[test]
    fn no_failures_is_all_done_and_a_bad_identifier_fails_the_batch() {
        let seqs = vec!["1".to_string(), "2".to_string()];
        assert_eq!(verdict(&json!({}), &seqs), Verdict::AllDone);
        assert_eq!(
            verdict(&json!({ "batchItemFailures": [] }), &seqs),
            Verdict::AllDone
        );
        assert_eq!(verdict(&failures(&[""]), &seqs), Verdict::Unusable);
        assert_eq!(verdict(&failures(&["3"]), &seqs), Verdict::Unusable);
        assert_eq!(
            verdict(
                &json!({ "batchItemFailures": [{ "itemIdentifier": null }] }),
                &seqs
            ),
            Verdict::Unusable
        );
    }
}
