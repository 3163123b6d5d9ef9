//! The one rule for free text people type: names, descriptions, reviews, addresses,
//! reasons. Every free-text field of the core is parsed here, so they all agree.
//!
//! The rule: the text is trimmed of surrounding whitespace; it has at most a field's
//! limit of characters, **counted in Unicode scalar values (Rust `char`s), not bytes**;
//! and it holds no control characters (Unicode category Cc: NUL, escape, DEL, the C1
//! range, ...). One-line fields ([`line()`]) refuse every control character, newlines
//! included; long text ([`text()`]) allows line feeds and tabs, and reads a `\r\n` line
//! break (what browsers send from a `<textarea>`) as `\n`. A refusal is
//! [`Error::InvalidInput`] naming the field.
//!
//! The limits are the `MAX_*` constants below; each field's documentation says which one
//! it uses.

use crate::error::Error;

/// One-line names and values: a person's or a product's name, a promotion's name, an
/// address line, an attribute value, a reason, a payment method.
pub const MAX_LINE_CHARS: usize = 200;
/// Short labels: shop, category and brand names; attribute and variant option names and
/// option values.
pub const MAX_LABEL_CHARS: usize = 100;
/// A media URL.
pub const MAX_URL_CHARS: usize = 2048;
/// Long text on several lines: a review's text, a seller's reply.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// A product's description, on several lines.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;

/// Whether line breaks (and tabs) may appear.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    OneLine,
    SeveralLines,
}

/// A required one-line text: trimmed, 1 to `max` characters, no control characters.
pub fn line(field: &'static str, raw: &str, max: usize) -> Result<String, Error> {
    required(field, optional_line(field, Some(raw), max)?)
}

/// An optional one-line text: `None` when absent or blank, otherwise as [`line()`].
pub fn optional_line(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, Error> {
    parse(field, raw, max, Shape::OneLine)
}

/// A required long text: trimmed, 1 to `max` characters, no control characters other
/// than line feeds and tabs (`\r\n` is read as `\n`).
pub fn text(field: &'static str, raw: &str, max: usize) -> Result<String, Error> {
    required(field, optional_text(field, Some(raw), max)?)
}

/// An optional long text: `None` when absent or blank, otherwise as [`text()`].
pub fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, Error> {
    parse(field, raw, max, Shape::SeveralLines)
}

fn required(field: &'static str, parsed: Option<String>) -> Result<String, Error> {
    parsed.ok_or_else(|| Error::invalid(field, "must not be empty"))
}

fn parse(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
    shape: Shape,
) -> Result<Option<String>, Error> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let unified;
    let raw = if shape == Shape::SeveralLines && raw.contains("\r\n") {
        unified = raw.replace("\r\n", "\n");
        unified.as_str()
    } else {
        raw
    };
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().nth(max).is_some() {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let allowed = |c: char| shape == Shape::SeveralLines && matches!(c, '\n' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(Error::invalid(
            field,
            match shape {
                Shape::OneLine => "must be one line, without control characters",
                Shape::SeveralLines => "must not contain control characters",
            },
        ));
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn refused(result: Result<impl std::fmt::Debug, Error>) -> Option<ErrorKind> {
        result.err().map(|e| e.kind())
    }

    #[test]
    fn a_line_is_trimmed_and_refuses_every_control_character() {
        assert_eq!(line("name", "  Ada  ", 10).as_deref(), Ok("Ada"));
        for bad in ["a\0b", "a\nb", "a\tb", "a\u{1b}b", "a\u{7f}", "a\u{85}b"] {
            assert_eq!(
                refused(line("name", bad, 10)),
                Some(ErrorKind::InvalidInput { field: "name" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn long_text_keeps_line_feeds_and_tabs_and_unifies_crlf() {
        assert_eq!(
            text("text", "one\r\n\ttwo\n", 20).as_deref(),
            Ok("one\n\ttwo")
        );
        for bad in ["a\0b", "a\rb", "a\u{1b}b", "a\u{7}"] {
            assert!(text("text", bad, 20).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(line("name", &"é".repeat(5), 5).is_ok());
        assert!(line("name", &"é".repeat(6), 5).is_err());
    }

    #[test]
    fn blank_is_absent_and_required_text_must_not_be_blank() {
        assert_eq!(optional_line("phone", Some("   "), 5), Ok(None));
        assert_eq!(optional_text("text", None, 5), Ok(None));
        assert_eq!(
            refused(line("name", " \n ", 5)),
            Some(ErrorKind::InvalidInput { field: "name" })
        );
    }
}
