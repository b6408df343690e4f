//! Lambda's DynamoDB event source mapping on moto's stream: `poller` reads and delivers,
//! `shard` holds each shard's state and retry decisions, `reply` reads the function's answer.

mod poller;
mod reply;
mod shard;

pub use poller::{Poller, StreamStats};
