//! tokio-util codec (being written).
