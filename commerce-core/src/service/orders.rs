//! Use cases: orders. (Skeleton.)

use super::Commerce;

impl Commerce {}
