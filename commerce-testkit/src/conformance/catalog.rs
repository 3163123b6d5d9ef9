//! Conformance cases: the catalog port(s).

/// The catalog cases, as tests.
#[macro_export]
macro_rules! catalog_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(catalog, $fresh, []);
    };
}
