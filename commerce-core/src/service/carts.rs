//! Use cases: carts. (Skeleton.)

use super::Commerce;

impl Commerce {}
