//! How shopper text becomes terms — one rule for every index, so they agree on what a
//! word is: runs of letters and digits (`char::is_alphanumeric`), lower-cased; anything
//! else separates words. Double quotes group words into a phrase; an unbalanced quote
//! runs to the end. Work is bounded however long the input is.

/// At most this many terms are taken from one query; the rest are ignored.
pub const MAX_TERMS: usize = 16;
/// Words longer than this many characters are cut to it.
pub const MAX_WORD_CHARS: usize = 40;

/// One part of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryTerm {
    /// A word, matched with typo tolerance (see [`edit_budget`]).
    Word(String),
    /// Words in quotes, matched exactly and in order.
    Phrase(Vec<String>),
}

/// The words of `text`, lower-cased, in order (at most [`MAX_TERMS`] × 8 of them).
pub fn normalize(text: &str) -> Vec<String> {
    words(text).take(MAX_TERMS * 8).collect()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .take(MAX_WORD_CHARS)
                .flat_map(char::to_lowercase)
                .collect()
        })
}

/// The terms of a shopper's query: quoted parts are phrases (matched exactly, even a
/// one-word phrase), the rest words. At most [`MAX_TERMS`].
pub fn parse_terms(text: &str) -> Vec<QueryTerm> {
    let mut terms = Vec::new();
    for (n, part) in text.split('"').enumerate() {
        let quoted = n % 2 == 1;
        let part_words: Vec<String> = words(part).take(MAX_TERMS).collect();
        if quoted {
            if !part_words.is_empty() {
                terms.push(QueryTerm::Phrase(part_words));
            }
        } else {
            terms.extend(part_words.into_iter().map(QueryTerm::Word));
        }
        if terms.len() >= MAX_TERMS {
            terms.truncate(MAX_TERMS);
            break;
        }
    }
    terms
}

/// How many edits (Levenshtein, a transposition counting as one) a word may be off by:
/// none under 4 characters, one from 4, two from 8.
pub fn edit_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_make_phrases_and_everything_else_is_words() {
        assert_eq!(
            parse_terms(r#"Blue "enamel MUG" +title:x"#),
            vec![
                QueryTerm::Word("blue".into()),
                QueryTerm::Phrase(vec!["enamel".into(), "mug".into()]),
                QueryTerm::Word("title".into()),
                QueryTerm::Word("x".into()),
            ]
        );
        assert_eq!(
            parse_terms(r#"unbalanced "quote here"#),
            vec![
                QueryTerm::Word("unbalanced".into()),
                QueryTerm::Phrase(vec!["quote".into(), "here".into()]),
            ]
        );
        assert!(parse_terms("🙂 \u{0} ** ()").is_empty());
    }

    #[test]
    fn long_input_is_bounded() {
        let long = "word ".repeat(5_000);
        assert_eq!(parse_terms(&long).len(), MAX_TERMS);
        let one = "a".repeat(10_000);
        assert_eq!(normalize(&one), vec!["a".repeat(MAX_WORD_CHARS)]);
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(edit_budget("mug"), 0);
        assert_eq!(edit_budget("lamp"), 1);
        assert_eq!(edit_budget("keyboard"), 2);
    }
}
