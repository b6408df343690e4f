//! Lambda's DynamoDB event source mapping on DynamoDB Local's stream: `mapping` is what the
//! template sets, `poller` reads and delivers, `shard` holds each shard's state, retry
//! decisions and checkpoints, `reply` reads the function's answer.

mod mapping;
mod poller;
mod reply;
mod shard;

pub use mapping::StreamMapping;
pub use poller::{Poller, StreamStats};
pub use shard::{Checkpoint, Checkpoints};
