//! Conformance cases: the accounts port(s).

/// The accounts cases, as tests.
#[macro_export]
macro_rules! accounts_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(accounts, $fresh, []);
    };
}
