//! Fixtures and the conformance suite for commerce-rs adapters.
