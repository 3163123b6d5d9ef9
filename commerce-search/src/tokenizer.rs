//! The two tokenizers the index registers, both following the core's one rule for what a
//! word is ([`commerce_core::search::normalize`]): runs of `char::is_alphanumeric`, cut to
//! [`MAX_WORD_CHARS`] characters, lower-cased character by character.
//!
//! tantivy's own `SimpleTokenizer` + `LowerCaser` split the same way, but they drop nothing
//! and cut nothing: a 41-character word would be indexed whole while the core (and so every
//! query) cuts it to 40. Owning the tokenizer keeps index and query in step by construction.

use std::str::CharIndices;

use commerce_core::search::MAX_WORD_CHARS;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the word tokenizer is registered under.
pub(crate) const WORDS: &str = "commerce_words";
/// The name the prefix tokenizer is registered under.
pub(crate) const PREFIXES: &str = "commerce_prefixes";

/// Splits text into the core's words.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

/// The words of one text.
pub(crate) struct WordStream<'a> {
    text: &'a str,
    chars: CharIndices<'a>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            chars: text.char_indices(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        // Skip separators up to the next word.
        let Some((start, first)) = self.chars.by_ref().find(|(_, c)| c.is_alphanumeric()) else {
            return false;
        };
        let mut end = self.text.len();
        let mut kept = 1;
        self.token.text.extend(first.to_lowercase());
        for (offset, c) in self.chars.by_ref() {
            if !c.is_alphanumeric() {
                end = offset;
                break;
            }
            if kept < MAX_WORD_CHARS {
                self.token.text.extend(c.to_lowercase());
                kept += 1;
            }
        }
        self.token.offset_from = start;
        self.token.offset_to = end;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Emits every prefix of every word (by characters of the lower-cased word), for
/// autosuggest: the prefix a shopper has typed is then one exact term.
#[derive(Clone, Default)]
pub(crate) struct PrefixTokenizer {
    words: WordTokenizer,
}

/// The prefixes of the words of one text.
pub(crate) struct PrefixStream<'a> {
    words: WordStream<'a>,
    /// Byte offsets where each prefix of the current word ends.
    ends: Vec<usize>,
    next: usize,
    token: Token,
}

impl Tokenizer for PrefixTokenizer {
    type TokenStream<'a> = PrefixStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PrefixStream<'a> {
        PrefixStream {
            words: self.words.token_stream(text),
            ends: Vec::new(),
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for PrefixStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some(&end) = self.ends.get(self.next) {
                let word = self.words.token();
                self.token.text.clear();
                self.token.text.push_str(&word.text[..end]);
                self.token.offset_from = word.offset_from;
                self.token.offset_to = word.offset_to;
                self.token.position = word.position;
                self.next += 1;
                return true;
            }
            if !self.words.advance() {
                return false;
            }
            let word = &self.words.token().text;
            self.ends.clear();
            self.ends
                .extend(word.char_indices().skip(1).map(|(offset, _)| offset));
            self.ends.push(word.len());
            self.next = 0;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use commerce_core::search::{document_words, normalize};
    use proptest::prelude::*;

    use super::*;

    fn tokens<T: Tokenizer>(mut tokenizer: T, text: &str) -> Vec<String> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn words_are_cut_and_lower_cased_like_the_core() {
        let long = "Ä".repeat(50);
        let text = format!("Blue-MUG, {long} ΟΔΟΣ 12ab");
        assert_eq!(tokens(WordTokenizer::default(), &text), normalize(&text));
        assert_eq!(
            tokens(WordTokenizer::default(), "ΟΔΟΣ"),
            vec!["οδοσ".to_owned()],
            "final sigma: per-character lower-casing, as the core does"
        );
    }

    #[test]
    fn prefixes_cover_every_word() {
        assert_eq!(
            tokens(PrefixTokenizer::default(), "iPhone 15"),
            ["i", "ip", "iph", "ipho", "iphon", "iphone", "1", "15"]
        );
        assert!(tokens(PrefixTokenizer::default(), " -- ").is_empty());
    }

    proptest! {
        #[test]
        fn tokenizer_agrees_with_the_core(text in "\\PC{0,200}") {
            let ours = tokens(WordTokenizer::default(), &text);
            let core: Vec<String> = document_words(&text).collect();
            prop_assert_eq!(ours, core);
        }

        #[test]
        fn prefix_tokens_are_prefixes_of_words(text in "\\PC{0,60}") {
            let words: Vec<String> = document_words(&text).collect();
            for prefix in tokens(PrefixTokenizer::default(), &text) {
                prop_assert!(words.iter().any(|w| w.starts_with(&prefix)));
            }
        }
    }
}
