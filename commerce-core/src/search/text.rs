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

/// The words of a document's text, by the same rule as [`normalize`] but without its
/// count cap (each word is still cut to [`MAX_WORD_CHARS`]): an index holds every word of
/// a long description.
pub fn document_words(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text)
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

/// Whether the document word `word` matches the query word `query`: equal, or within
/// [`edit_budget`]`(query)` edits (Levenshtein with an adjacent transposition counting as
/// one edit, i.e. optimal string alignment). Both are expected normalised (lower case).
pub fn typo_match(query: &str, word: &str) -> bool {
    query == word || within_edits(query, word, usize::from(edit_budget(query)))
}

/// Whether the optimal-string-alignment distance between `a` and `b` is at most `max`.
fn within_edits(a: &str, b: &str, max: usize) -> bool {
    if max == 0 {
        return a == b;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    // Three rows of the dynamic-programming table: two back, one back, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
            row_min = row_min.min(best);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()] <= max
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
    fn typos_within_the_budget_match() {
        assert!(typo_match("galaxi", "galaxy"));
        assert!(
            typo_match("iphnoe", "iphone"),
            "a transposition is one edit"
        );
        assert!(
            typo_match("mecanicl", "mechanical"),
            "two edits from 8 letters"
        );
        assert!(
            !typo_match("poxil", "pixel"),
            "two edits on 5 letters is too many"
        );
        assert!(!typo_match("mug", "mog"), "no typos under 4 letters");
        assert!(typo_match("mug", "mug"));
        assert!(!typo_match("lamp", "lampshade"));
        assert!(typo_match("lamp", "lamps"));
        assert!(
            !typo_match("abcd", "badc"),
            "two transpositions are two edits"
        );
        assert!(typo_match("", ""));
    }

    #[test]
    fn document_words_are_not_capped() {
        let long = "word ".repeat(500);
        assert_eq!(document_words(&long).count(), 500);
        assert_eq!(normalize(&long).len(), MAX_TERMS * 8);
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(edit_budget("mug"), 0);
        assert_eq!(edit_budget("lamp"), 1);
        assert_eq!(edit_budget("keyboard"), 2);
    }
}
