//! A product's rating aggregates.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::Rating;
use crate::search::SearchRating;

/// The aggregates of a product's visible reviews: how many of each rating. Count and
/// average follow from the histogram, so they can never disagree with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSummary {
    /// Reviews with 1, 2, 3, 4 and 5 stars, in that order.
    pub histogram: [u32; 5],
}

impl RatingSummary {
    /// The summary of `ratings`.
    pub fn of(ratings: impl IntoIterator<Item = Rating>) -> Self {
        let mut summary = RatingSummary::default();
        for rating in ratings {
            summary.add(rating);
        }
        summary
    }

    /// Counts one more review with `rating`.
    pub fn add(&mut self, rating: Rating) {
        let slot = &mut self.histogram[usize::from(rating.stars() - 1)];
        *slot = slot.saturating_add(1);
    }

    /// How many reviews count.
    pub fn count(&self) -> u32 {
        self.histogram
            .iter()
            .fold(0u32, |total, &n| total.saturating_add(n))
    }

    /// How many reviews have `rating`.
    pub fn with_rating(&self, rating: Rating) -> u32 {
        self.histogram[usize::from(rating.stars() - 1)]
    }

    /// The average rating rounded to one decimal, half away from zero (ratings 4, 4, 5
    /// give 4.3); zero when there are no reviews.
    pub fn average(&self) -> Decimal {
        let count = self.count();
        if count == 0 {
            return Decimal::ZERO;
        }
        let stars: u64 = Rating::ALL
            .iter()
            .map(|&r| u64::from(r.stars()) * u64::from(self.with_rating(r)))
            .sum();
        (Decimal::from(stars) / Decimal::from(count))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
    }

    /// The rating as search filters and sorts on it.
    pub fn search_rating(&self) -> SearchRating {
        SearchRating {
            average: self.average(),
            count: self.count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn summary(stars: &[i64]) -> RatingSummary {
        RatingSummary::of(stars.iter().map(|&s| Rating::new(s).unwrap()))
    }

    #[test]
    fn average_rounds_to_one_decimal_half_away_from_zero() {
        assert_eq!(summary(&[4, 4, 5]).average(), Decimal::new(43, 1));
        assert_eq!(summary(&[4, 4, 4, 5]).average(), Decimal::new(43, 1));
        assert_eq!(summary(&[1, 2]).average(), Decimal::new(15, 1));
        assert_eq!(summary(&[5, 5, 4]).average(), Decimal::new(47, 1));
        assert_eq!(summary(&[3]).average(), Decimal::new(30, 1));
        assert_eq!(summary(&[]).average(), Decimal::ZERO);
    }

    proptest::proptest! {
        /// The average is the exact mean rounded half up to tenths, computed here in
        /// integers: floor(10 * sum / count + 1/2).
        #[test]
        fn average_is_the_mean_rounded_half_up_to_tenths(
            stars in proptest::collection::vec(1i64..=5, 0..300)
        ) {
            let s = summary(&stars);
            let count = i64::try_from(stars.len()).unwrap();
            let sum: i64 = stars.iter().sum();
            let tenths = if count == 0 { 0 } else { (20 * sum + count) / (2 * count) };
            proptest::prop_assert_eq!(s.average(), Decimal::new(tenths, 1));
            proptest::prop_assert_eq!(i64::from(s.count()), count);
        }
    }

    #[test]
    fn count_and_histogram_follow_the_ratings() {
        let s = summary(&[5, 1, 5, 3]);
        assert_eq!(s.histogram, [1, 0, 1, 0, 2]);
        assert_eq!(s.count(), 4);
        assert_eq!(
            s.search_rating(),
            SearchRating {
                average: Decimal::new(35, 1),
                count: 4
            }
        );
    }
}
