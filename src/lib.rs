//! drscan audits an AWS multi-region disaster-recovery setup: would the application come back
//! in the DR region if the primary region disappeared now?
//!
//! The pipeline shows in the modules: [`collection`] fills the [`inventory`] (typed model,
//! snapshot, graph, and the DR relations that answer "what is the DR copy of X") → [`estimate`]
//! (RTO/RPO) → [`rules`] (one file per rule) → [`audit`] (parallel evaluation, gate) →
//! [`output`] (text, JSON, SARIF, JUnit), [`report`] and [`drift`]; [`organization`] rolls
//! many accounts' audits up into one; [`cli`] ties them to the command line. Imports point down this pipeline only (`tests/it/layers.rs` checks it).

pub mod audit;
pub mod baseline;
pub mod cli;
pub mod collection;
pub mod config;
pub(crate) mod drift;
pub(crate) mod duration;
pub mod error;
pub mod estimate;
pub mod findings;
pub mod input;
pub mod inventory;
pub mod organization;
pub mod output;
pub(crate) mod parse;
pub(crate) mod regions;
pub mod report;
pub mod rules;
pub mod settings;
pub(crate) mod time;
pub mod waivers;
