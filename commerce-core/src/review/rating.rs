//! The parsed parts of a review: the star rating and the optional title and text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::text;

/// The most characters a review title may have.
pub const MAX_TITLE_CHARS: usize = 120;
/// The most characters a review text (or a seller's reply) may have.
pub const MAX_TEXT_CHARS: usize = text::MAX_TEXT_CHARS;

/// A star rating, 1 to 5. Its constructor is its parser: a `Rating` is always valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    /// Every rating, lowest first.
    pub const ALL: [Rating; 5] = [Rating(1), Rating(2), Rating(3), Rating(4), Rating(5)];

    /// Parses a number of stars; anything outside 1..=5 is
    /// [`Error::InvalidInput`] on field `rating`.
    pub fn new(stars: i64) -> Result<Self, Error> {
        match u8::try_from(stars) {
            Ok(stars @ 1..=5) => Ok(Rating(stars)),
            _ => Err(Error::invalid(
                "rating",
                "must be a whole number from 1 to 5",
            )),
        }
    }

    /// The number of stars, 1 to 5.
    pub const fn stars(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = Error;
    fn try_from(stars: u8) -> Result<Self, Error> {
        Rating::new(i64::from(stars))
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> u8 {
        rating.0
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A review's optional title and text, by the one rule of [`crate::text`]: trimmed,
/// blank means absent, no control characters. The title is one line of at most
/// [`MAX_TITLE_CHARS`] characters, the text at most [`MAX_TEXT_CHARS`] on several lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewText {
    title: Option<String>,
    text: Option<String>,
}

impl ReviewText {
    /// Parses a title and a text; [`Error::InvalidInput`] on field `title` or `text` when
    /// one is too long, has control characters (or the title spans lines), naming the
    /// first at fault.
    pub fn parse(title: Option<&str>, text: Option<&str>) -> Result<Self, Error> {
        Ok(ReviewText {
            title: text::optional_line("title", title, MAX_TITLE_CHARS)?,
            text: text::optional_text("text", text, MAX_TEXT_CHARS)?,
        })
    }

    /// The title, if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The text, if any.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn ratings_outside_one_to_five_are_invalid_input_on_rating() {
        for stars in [i64::MIN, -1, 0, 6, 256, i64::MAX] {
            let error = Rating::new(stars).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "rating" });
        }
        let stars: Vec<u8> = (1..=5)
            .map(|s| Rating::new(s).map(Rating::stars))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stars, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_stored_rating_out_of_range_does_not_decode() {
        assert!(serde_json::from_str::<Rating>("0").is_err());
        assert_eq!(serde_json::from_str::<Rating>("4").unwrap().stars(), 4);
    }

    #[test]
    fn text_is_trimmed_blank_is_absent_and_lengths_are_bounded() {
        let parsed = ReviewText::parse(Some("  Great mug "), Some("   ")).unwrap();
        assert_eq!(parsed.title(), Some("Great mug"));
        assert_eq!(parsed.text(), None);
        let long_title = "x".repeat(MAX_TITLE_CHARS + 1);
        let error = ReviewText::parse(Some(&long_title), None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "title" });
        let long_text = "é".repeat(MAX_TEXT_CHARS + 1);
        let error = ReviewText::parse(None, Some(&long_text)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "text" });
        let exact = "é".repeat(MAX_TEXT_CHARS);
        assert!(ReviewText::parse(None, Some(&exact)).is_ok());
        let error = ReviewText::parse(Some("two\nlines"), None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "title" });
    }
}
