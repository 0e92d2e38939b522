//! drscan's integration tests, in one test binary: every binary links the AWS SDK crates, so
//! one binary instead of one per file saves most of the link time of a test build. Each module
//! is one area; the moto-backed ones share the emulator that `support` starts once.

// Test and benchmark code may panic on what it set up itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/chromium.rs"]
mod chromium;
#[path = "../support/mod.rs"]
mod support;
#[path = "../support/synthetic.rs"]
mod synthetic;

mod accounts;
mod agreement;
mod capacity_quota;
mod catalog;
mod cli;
mod collect_e2e;
mod collect_faults;
mod collect_recorded;
mod compute_shapes;
mod config;
mod corpus;
mod data_stores;
mod db_clusters;
mod dns_shapes;
mod drift;
mod estimates;
mod examples;
mod exercises;
mod fault_matrix;
mod first_hour;
mod fuzz;
mod gate;
mod iam_policy;
mod layers;
mod organization;
mod outputs;
mod rate_limits;
mod report;
mod rule_fixtures;
mod synthetic_estate;
mod unknowns;
