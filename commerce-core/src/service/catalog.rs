//! Use cases: catalog. (Skeleton.)

use super::Commerce;

impl Commerce {}
