//! Use cases: checkout. (Skeleton.)

use super::Commerce;

impl Commerce {}
