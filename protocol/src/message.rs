//! MSG payloads (being written).
