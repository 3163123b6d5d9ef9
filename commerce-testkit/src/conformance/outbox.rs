//! Conformance cases: the outbox port(s).

/// The outbox cases, as tests.
#[macro_export]
macro_rules! outbox_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(outbox, $fresh, []);
    };
}
