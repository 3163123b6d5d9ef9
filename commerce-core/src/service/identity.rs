//! Use cases: identity. (Skeleton.)

use super::Commerce;

impl Commerce {}
