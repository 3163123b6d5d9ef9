//! Hostile input for property tests: what an attacker might send where the engine
//! expects something well formed.

use proptest::prelude::*;

/// Webhook signature headers (`t=<unix seconds>,v1=<hex>`) the way an attacker would
/// vary them: free text, near-misses of the syntax, and well-formed pairs with any
/// time and any hex as the signature.
pub fn signature_header() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[tv1=, 0-9a-f+-]{0,80}",
        (signature_time(), "[0-9a-fA-F]{0,70}").prop_map(|(t, v)| format!("t={t},v1={v}")),
        (signature_time(), signature_time()).prop_map(|(t, u)| format!("t={t},v1=00,t={u}")),
    ]
}

/// Any signature time in unix seconds, weighted towards the ends of `i64`, where
/// unchecked arithmetic overflows.
pub fn signature_time() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        i64::MIN..i64::MIN + 10_000_000_000,
        i64::MAX - 10_000_000_000..=i64::MAX,
    ]
}
