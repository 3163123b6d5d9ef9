//! Conformance cases: the orders port(s).

/// The orders cases, as tests.
#[macro_export]
macro_rules! orders_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(orders, $fresh, []);
    };
}
