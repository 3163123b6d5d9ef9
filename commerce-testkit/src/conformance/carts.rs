//! Conformance cases: the carts port(s).

/// The carts cases, as tests.
#[macro_export]
macro_rules! carts_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(carts, $fresh, []);
    };
}
