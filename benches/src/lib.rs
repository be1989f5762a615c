//! Workload generator for the msnp6 benchmarks.
