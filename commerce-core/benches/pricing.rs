//! Pricing benchmark (filled in below).
fn main() {}
