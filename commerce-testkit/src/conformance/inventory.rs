//! Conformance cases: the inventory port(s).

/// The inventory cases, as tests.
#[macro_export]
macro_rules! inventory_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(inventory, $fresh, []);
    };
}
