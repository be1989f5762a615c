//! Validated values of the protocol.

pub mod context;
