//! Report periods: local dates in an IANA time zone, cut into days, ISO weeks or months.

use chrono::{DateTime, Datelike, Days, Duration, LocalResult, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The most buckets one report may have (about 2.7 years by day).
pub const MAX_BUCKETS: usize = 1000;

/// How a period is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Local calendar days.
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    /// Calendar months.
    Month,
}

/// One slice of a period: from the UTC instant its first local day starts (inclusive) to
/// the one the next slice starts (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bucket {
    /// The local date it starts on (a Monday for weeks, the 1st for months).
    pub first_day: NaiveDate,
    /// Where it starts, inclusive.
    pub start: DateTime<Utc>,
    /// Where it ends, exclusive.
    pub end: DateTime<Utc>,
}

/// Local dates `from..=to` in a time zone, cut into buckets. The first bucket is the day,
/// week or month containing `from` and the last the one containing `to`, so every bucket
/// is whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    zone: Tz,
    granularity: Granularity,
    buckets: Vec<Bucket>,
}

impl ReportPeriod {
    /// Parses the IANA zone name (`"Europe/Paris"`; `InvalidInput { field: "time_zone" }`
    /// if unknown) and computes the buckets. `InvalidInput { field: "period" }` if `to`
    /// is before `from` or the period has more than [`MAX_BUCKETS`] buckets.
    pub fn new(
        from: NaiveDate,
        to: NaiveDate,
        zone: &str,
        granularity: Granularity,
    ) -> Result<Self, Error> {
        let zone: Tz = zone
            .parse()
            .map_err(|_| Error::invalid("time_zone", format!("unknown IANA time zone {zone:?}")))?;
        if to < from {
            return Err(Error::invalid("period", "the period ends before it starts"));
        }
        let mut days = Vec::new();
        let mut day = first_day_of(from, granularity);
        while day <= to {
            if days.len() > MAX_BUCKETS {
                return Err(Error::invalid(
                    "period",
                    format!("a report has at most {MAX_BUCKETS} buckets"),
                ));
            }
            days.push(day);
            day = next_first_day(day, granularity)?;
        }
        days.push(day);
        if days.len() > MAX_BUCKETS + 1 {
            return Err(Error::invalid(
                "period",
                format!("a report has at most {MAX_BUCKETS} buckets"),
            ));
        }
        let starts = days
            .iter()
            .map(|d| start_of_day(*d, zone))
            .collect::<Result<Vec<_>, _>>()?;
        let buckets = days
            .windows(2)
            .zip(starts.windows(2))
            .map(|(d, s)| Bucket {
                first_day: d[0],
                start: s[0],
                end: s[1],
            })
            .collect();
        Ok(ReportPeriod {
            zone,
            granularity,
            buckets,
        })
    }

    /// The time zone's IANA name.
    pub fn zone(&self) -> &'static str {
        self.zone.name()
    }

    /// How it is cut.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// The buckets, oldest first, each ending where the next starts.
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// The local date an instant falls on in this period's zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }
}

/// The first day of the day, ISO week or month containing `day`.
fn first_day_of(day: NaiveDate, granularity: Granularity) -> NaiveDate {
    match granularity {
        Granularity::Day => day,
        Granularity::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Granularity::Month => day.with_day(1).unwrap_or(day),
    }
}

/// The first day of the next bucket.
fn next_first_day(day: NaiveDate, granularity: Granularity) -> Result<NaiveDate, Error> {
    let next = match granularity {
        Granularity::Day => day.checked_add_days(Days::new(1)),
        Granularity::Week => day.checked_add_days(Days::new(7)),
        Granularity::Month => day.checked_add_months(Months::new(1)),
    };
    next.ok_or_else(|| Error::invalid("period", "the period runs past the calendar's end"))
}

/// The UTC instant a local day starts in `zone`: its midnight, the earlier one if the
/// clocks went back over midnight, or the first minute that exists if they jumped over
/// it (a few zones change at midnight).
fn start_of_day(day: NaiveDate, zone: Tz) -> Result<DateTime<Utc>, Error> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    for minute in 0..=24 * 60 {
        let local = midnight + Duration::minutes(minute);
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => return Ok(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(earliest, _) => return Ok(earliest.with_timezone(&Utc)),
            LocalResult::None => continue,
        }
    }
    Err(Error::invalid(
        "time_zone",
        format!("{day} has no start in {}", zone.name()),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn days_start_at_local_midnight_across_a_dst_change() {
        // Paris moved to summer time on 2026-03-29 at 02:00 local.
        let period = ReportPeriod::new(
            date(2026, 3, 28),
            date(2026, 3, 30),
            "Europe/Paris",
            Granularity::Day,
        )
        .unwrap();
        let b = period.buckets();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].start, utc("2026-03-27T23:00:00Z"));
        assert_eq!(b[1].start, utc("2026-03-28T23:00:00Z"));
        // The short day: 23 hours.
        assert_eq!(b[2].start, utc("2026-03-29T22:00:00Z"));
        assert_eq!(b[1].end - b[1].start, Duration::hours(23));
        assert_eq!(b[2].end, utc("2026-03-30T22:00:00Z"));
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-03-04 is a Wednesday.
        let weeks = ReportPeriod::new(
            date(2026, 3, 4),
            date(2026, 3, 10),
            "UTC",
            Granularity::Week,
        )
        .unwrap();
        let firsts: Vec<_> = weeks.buckets().iter().map(|b| b.first_day).collect();
        assert_eq!(firsts, vec![date(2026, 3, 2), date(2026, 3, 9)]);
        let months = ReportPeriod::new(
            date(2026, 1, 31),
            date(2026, 3, 1),
            "America/New_York",
            Granularity::Month,
        )
        .unwrap();
        let b = months.buckets();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].start, utc("2026-01-01T05:00:00Z"));
        assert_eq!(b[1].start, utc("2026-02-01T05:00:00Z"));
        // New York moves to summer time on 2026-03-08.
        assert_eq!(b[2].end, utc("2026-04-01T04:00:00Z"));
    }

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_its_first_minute() {
        // Santiago jumped from 2025-09-06 24:00 to 2025-09-07 01:00.
        let period = ReportPeriod::new(
            date(2025, 9, 7),
            date(2025, 9, 7),
            "America/Santiago",
            Granularity::Day,
        )
        .unwrap();
        assert_eq!(period.buckets()[0].start, utc("2025-09-07T04:00:00Z"));
    }

    #[test]
    fn bad_zones_and_periods_are_typed_invalid_input() {
        let field = |r: Result<ReportPeriod, Error>| match r.unwrap_err() {
            Error::InvalidInput { field, .. } => field,
            other => panic!("{other}"),
        };
        let d = date(2026, 1, 1);
        assert_eq!(
            field(ReportPeriod::new(d, d, "Mars/Olympus", Granularity::Day)),
            "time_zone"
        );
        assert_eq!(
            field(ReportPeriod::new(
                d,
                date(2025, 1, 1),
                "UTC",
                Granularity::Day
            )),
            "period"
        );
        assert_eq!(
            field(ReportPeriod::new(
                d,
                date(2030, 1, 1),
                "UTC",
                Granularity::Day
            )),
            "period"
        );
        assert!(ReportPeriod::new(d, date(2030, 1, 1), "UTC", Granularity::Month).is_ok());
    }
}
