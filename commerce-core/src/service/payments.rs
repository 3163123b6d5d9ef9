//! Use cases: payments. (Skeleton.)

use super::Commerce;

impl Commerce {}
