//! commerce facade.
pub use commerce_core as core;
