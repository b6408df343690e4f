//! Lambda's DynamoDB event source mapping on moto's stream: `mapping` is what the template
//! sets, `poller` reads and delivers, `shard` holds each shard's state and retry decisions,
//! `reply` reads the function's answer.

mod mapping;
mod poller;
mod reply;
mod shard;

pub use mapping::StreamMapping;
pub use poller::{Poller, StreamStats};
