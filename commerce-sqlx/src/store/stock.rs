//! Stock levels (work in progress).
