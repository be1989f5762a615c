//! Transcript reader (being written).
