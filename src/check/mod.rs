//! The subcommands of `svcj-check` as library code, so that each one can
//! be tested on fixture trees without running the binary.

pub mod audit;
pub mod lint;
