//! Units per second per partition, against DynamoDB's per-partition limits.

use std::fmt::Write as _;

use super::model::{Partition, Units};

/// About 1,000 write units per second per partition (DynamoDB developer guide, "Best
/// practices for designing and using partition keys effectively").
pub const WRITE_LIMIT: f64 = 1000.0;
/// About 3,000 read units per second per partition.
pub const READ_LIMIT: f64 = 3000.0;

/// Rows of one table or index a [`Report::table`] shows, at most.
pub const PER_TARGET: usize = 2;

/// One partition's load per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The table or index (`EventsTable/byStart`).
    pub target: String,
    pub key: String,
    pub read: f64,
    pub write: f64,
}

impl Row {
    /// The larger of its read and write shares of the limits (1.0 = at the limit).
    pub fn share(&self) -> f64 {
        (self.read / READ_LIMIT).max(self.write / WRITE_LIMIT)
    }
}

/// A workload's load: units per second per partition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    /// `load` counted over `seconds` of a sample that stands for `1 / scale` of the traffic
    /// (e.g. 10 of 250 modelled containers: scale 25).
    pub fn new<'a>(
        load: impl IntoIterator<Item = (&'a Partition, &'a Units)>,
        seconds: f64,
        scale: f64,
    ) -> Self {
        let mut rows: Vec<Row> = load
            .into_iter()
            .map(|((target, key), u)| Row {
                target: target.clone(),
                key: key.clone(),
                read: u.read * scale / seconds,
                write: u.write * scale / seconds,
            })
            .collect();
        rows.sort_by(|a, b| b.share().total_cmp(&a.share()));
        Self { rows }
    }

    pub fn hottest_write(&self) -> Option<&Row> {
        self.rows.iter().max_by(|a, b| a.write.total_cmp(&b.write))
    }

    pub fn hottest_read(&self) -> Option<&Row> {
        self.rows.iter().max_by(|a, b| a.read.total_cmp(&b.read))
    }

    /// The largest share of a limit any partition takes (1.0 = at its limit).
    pub fn peak_share(&self) -> f64 {
        self.rows.iter().map(Row::share).fold(0.0, f64::max)
    }

    /// The hottest `n` partitions as a Markdown table, at most [`PER_TARGET`] of each table
    /// or index, so that many partitions equally hot in one table do not hide the others.
    pub fn table(&self, n: usize) -> String {
        let mut out = String::from(
            "| table / index | partition key | write units/s | % of 1,000 | read units/s | % of 3,000 |\n\
             |---|---|---:|---:|---:|---:|\n",
        );
        let mut shown: std::collections::HashMap<&str, usize> = Default::default();
        let rows = self.rows.iter().filter(|r| {
            let k = shown.entry(r.target.as_str()).or_default();
            *k += 1;
            *k <= PER_TARGET
        });
        for r in rows.take(n) {
            let key = if r.key.chars().count() > 40 {
                format!("{}…", r.key.chars().take(39).collect::<String>())
            } else {
                r.key.clone()
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {:.0} | {:.0}% | {:.0} | {:.0}% |",
                r.target,
                key,
                r.write,
                100.0 * r.write / WRITE_LIMIT,
                r.read,
                100.0 * r.read / READ_LIMIT
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_other_tables_past_a_crowd_of_equal_partitions() {
        let row = |target: &str, key: &str, read: f64| Row {
            target: target.into(),
            key: key.into(),
            read,
            write: 0.0,
        };
        let report = Report {
            rows: vec![
                row("Inventory", "a", 900.0),
                row("Inventory", "b", 900.0),
                row("Inventory", "c", 900.0),
                row("Listing", "m", 600.0),
            ],
        };
        let table = report.table(6);
        assert!(table.contains("`a`") && table.contains("`b`"), "{table}");
        assert!(!table.contains("`c`"), "{table}");
        assert!(
            table.contains("| Listing | `m` | 0 | 0% | 600 | 20% |"),
            "{table}"
        );
        assert_eq!(report.peak_share(), 0.3);
    }
}
