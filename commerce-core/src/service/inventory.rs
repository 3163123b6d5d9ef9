//! Use cases: inventory. (Skeleton.)

use super::Commerce;

impl Commerce {}
