//! placeholder
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {}
