//! # msnp6 — the MSNP6 protocol, exactly
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod types;
pub mod transcript;
pub mod message;

pub use types::context::{Dialect, Direction, ServerKind};
