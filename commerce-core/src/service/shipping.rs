//! Use cases: shipping. (Skeleton.)

use super::Commerce;

impl Commerce {}
