//! Chinese text as an index and its queries see it. Both sides fold the text
//! the same way (traditional to simplified, full-width to half-width, lower
//! case) so 軟件 finds 软件 and ＪＡＶＡ finds Java; tokens keep the offsets
//! of the original text, so highlights land on what the reader typed.
//!
//! Two tokenizers: `words` (jieba's search mode: 数据分析师 gives 数据, 分析,
//! 分析师, 数据分析师) ranks, and `grams` (each Chinese character and each pair
//! of neighbours) finds what segmentation split differently or a mistyped
//! character left unmatched.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name an index registers the word tokenizer under.
pub const WORDS: &str = "zh_words";
/// The name an index registers the character-gram tokenizer under.
pub const GRAMS: &str = "zh_grams";

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Registers both tokenizers with an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(WORDS, WordTokenizer::default());
    index.tokenizers().register(GRAMS, GramTokenizer::default());
}

/// A text folded for matching, with the original byte offset of each of its bytes.
pub struct Folded {
    pub text: String,
    origin: Vec<u32>,
}

impl Folded {
    pub fn new(original: &str) -> Folded {
        let simplified = fast2s::convert(original);
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        // fast2s writes one character for each it reads.
        for ((at, _), c) in original.char_indices().zip(simplified.chars()) {
            let before = text.len();
            fold_into(c, &mut text);
            origin.extend(std::iter::repeat_n(at as u32, text.len() - before));
        }
        origin.push(original.len() as u32);
        Folded { text, origin }
    }

    /// The original byte offset of a folded byte offset.
    pub fn original(&self, at: usize) -> usize {
        self.origin.get(at).copied().unwrap_or_else(|| self.origin.last().copied().unwrap_or(0)) as usize
    }

    /// The original offset where the folded character ending at `end` ends.
    fn original_end(&self, end: usize) -> usize {
        match self.origin.get(end) {
            Some(&o) => o as usize,
            None => self.original(self.text.len()),
        }
    }
}

/// Full-width letters and digits to half-width, letters to lower case.
fn fold_into(c: char, text: &mut String) {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    // Han characters and ASCII spare the Unicode case tables: most of a posting's text.
    if c.is_ascii() || is_han(c) {
        text.push(c.to_ascii_lowercase());
    } else {
        text.extend(c.to_lowercase());
    }
}

/// A text folded as the index folds it (軟件ＡＢ → 软件ab), without the offsets.
pub fn fold_str(text: &str) -> String {
    Folded::new(text).text
}

/// A token is a word or a number: punctuation and spaces are left out.
fn is_word(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Han characters, the ones grams are made of.
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// jieba's search-mode words of a folded text, as (folded start, folded end, word).
fn words(folded: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    JIEBA
        .cut_for_search(folded, true)
        .into_iter()
        .filter(|t| is_word(t.word))
        .map(|t| (t.byte_start, t.byte_end, t.word))
}

/// The character grams of a folded text: each Han character, each pair of
/// neighbouring Han characters, each run of letters or digits whole; as
/// (folded start, folded end), the gram being the folded text between.
pub fn grams(folded: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut chars = folded.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = at + c.len_utf8();
        if is_han(c) {
            out.push((at, end));
            if let Some(&(_, next)) = chars.peek().filter(|(_, n)| is_han(*n)) {
                out.push((at, end + next.len_utf8()));
            }
        } else if c.is_alphanumeric() {
            let mut end = end;
            while let Some(&(next_at, next)) = chars.peek().filter(|(_, n)| n.is_alphanumeric() && !is_han(*n)) {
                end = next_at + next.len_utf8();
                chars.next();
            }
            out.push((at, end));
        }
    }
    out
}

/// A tokenizer's tokens, kept between texts so their strings are reused
/// rather than allocated for every token of every posting.
#[derive(Clone, Debug, Default)]
struct Tokens {
    tokens: Vec<Token>,
    len: usize,
}

impl Tokens {
    /// The tokens of `original` that `cut` finds in its folded text, offsets in the original.
    fn fill(&mut self, original: &str, cut: impl FnOnce(&str) -> Vec<(usize, usize)>) -> TokensOf<'_> {
        let folded = Folded::new(original);
        self.len = 0;
        for (start, end) in cut(&folded.text) {
            if self.len == self.tokens.len() {
                self.tokens.push(Token::default());
            }
            let token = &mut self.tokens[self.len];
            token.text.clear();
            token.text.push_str(&folded.text[start..end]);
            token.offset_from = folded.original(start);
            token.offset_to = folded.original_end(end);
            token.position = self.len;
            token.position_length = 1;
            self.len += 1;
        }
        TokensOf { tokens: &mut self.tokens[..self.len], at: None }
    }
}

/// jieba words, for ranking.
#[derive(Clone, Debug, Default)]
pub struct WordTokenizer(Tokens);

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = TokensOf<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokensOf<'a> {
        self.0.fill(text, |folded| words(folded).map(|(s, e, _)| (s, e)).collect())
    }
}

/// Character grams, for recall.
#[derive(Clone, Debug, Default)]
pub struct GramTokenizer(Tokens);

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = TokensOf<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokensOf<'a> {
        self.0.fill(text, grams)
    }
}

pub struct TokensOf<'a> {
    tokens: &'a mut [Token],
    at: Option<usize>,
}

impl TokenStream for TokensOf<'_> {
    fn advance(&mut self) -> bool {
        let next = self.at.map_or(0, |i| i + 1);
        self.at = Some(next);
        next < self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at.unwrap_or(0)]
    }
    fn token_mut(&mut self) -> &mut Token {
        let at = self.at.unwrap_or(0);
        &mut self.tokens[at]
    }
}

/// One word of what a person typed, as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// The word folded (軟件 → 软件).
    pub text: String,
    /// jieba's finest words of it, each of which a match must hold (数据分析 → 数据, 分析).
    pub leaves: Vec<String>,
    /// Its coarser words, which rank a match higher where they occur whole (数据分析).
    pub wholes: Vec<String>,
    /// Its character grams: pairs, or the one character of a one-character word.
    pub grams: Vec<String>,
}

impl QueryWord {
    /// Whether the word is letters and digits only (fuzzy matching suits those).
    pub fn is_latin(&self) -> bool {
        self.text.chars().all(|c| c.is_ascii_alphanumeric())
    }
}

/// Most words a query keeps, and the longest word.
const MAX_WORDS: usize = 8;
const MAX_WORD_CHARS: usize = 32;

/// The words of a query as typed: split at spaces and punctuation, folded, at
/// most eight, each at most 32 characters. Never parsed as query syntax.
pub fn query_words(q: &str) -> Vec<QueryWord> {
    let mut out: Vec<QueryWord> = Vec::new();
    for raw in q.split(|c: char| c.is_whitespace() || (!c.is_alphanumeric() && !matches!(c, '+' | '#' | '.'))) {
        let text: String = fold_str(raw).chars().take(MAX_WORD_CHARS).collect();
        if !is_word(&text) || out.iter().any(|w| w.text == text) {
            continue;
        }
        let mut found: Vec<String> = words(&text).map(|(_, _, w)| w.to_owned()).collect();
        found.sort();
        found.dedup();
        let (leaves, wholes): (Vec<String>, Vec<String>) =
            found.iter().cloned().partition(|w| !found.iter().any(|o| o != w && w.contains(o.as_str())));
        let all: Vec<&str> = grams(&text).into_iter().map(|(s, e)| &text[s..e]).collect();
        let pairs: Vec<String> =
            all.iter().filter(|g| g.chars().count() == 2 || !is_han_word(g)).map(|g| g.to_string()).collect();
        let grams = if pairs.is_empty() { all.into_iter().map(str::to_owned).collect() } else { pairs };
        out.push(QueryWord { text, leaves, wholes, grams });
        if out.len() == MAX_WORDS {
            break;
        }
    }
    out
}

fn is_han_word(gram: &str) -> bool {
    gram.chars().all(is_han)
}

/// A piece of shown text, marked where it matches the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// A text cut into pieces, the query's words (or, failing those, their finest
/// words) marked. With `window`, only about that many characters around the
/// first match are kept, an ellipsis where text was cut.
pub fn highlight(original: &str, words: &[QueryWord], window: Option<usize>) -> Vec<Piece> {
    let folded = Folded::new(original);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for word in words {
        let whole = find_all(&folded.text, &word.text);
        if whole.is_empty() {
            word.leaves.iter().for_each(|leaf| ranges.extend(find_all(&folded.text, leaf)));
        } else {
            ranges.extend(whole);
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let marks: Vec<(usize, usize)> =
        merged.iter().map(|&(s, e)| (folded.original(s), folded.original_end(e))).collect();
    let (from, to) = match window {
        Some(chars) => excerpt(original, marks.first().map_or(0, |m| m.0), chars),
        None => (0, original.len()),
    };
    let mut pieces = Vec::new();
    let mut at = from;
    let mut push = |text: &str, hit: bool| {
        if !text.is_empty() {
            pieces.push(Piece { text: text.to_owned(), hit });
        }
    };
    if from > 0 {
        push("…", false);
    }
    for (s, e) in marks.into_iter().filter(|&(s, e)| s >= from && e <= to) {
        push(&original[at..s], false);
        push(&original[s..e], true);
        at = e;
    }
    push(&original[at..to], false);
    if to < original.len() {
        push("…", false);
    }
    pieces
}

fn find_all(haystack: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    haystack.match_indices(needle).map(|(at, m)| (at, at + m.len())).collect()
}

/// About `chars` characters of a text starting a little before `hit`, on character boundaries.
fn excerpt(text: &str, hit: usize, chars: usize) -> (usize, usize) {
    let lead = chars / 5;
    let before: Vec<usize> = text[..hit].char_indices().map(|(i, _)| i).collect();
    let from = before.len().checked_sub(lead).map_or(0, |i| before[i]);
    let to = text[from..].char_indices().nth(chars).map_or(text.len(), |(i, _)| from + i);
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(mut stream: TokensOf) -> Vec<String> {
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn traditional_full_width_and_case_fold_alike() {
        assert_eq!(fold_str("軟件開發 ＪＡＶＡ"), "软件开发 java");
        let f = Folded::new("軟件ＡＢ");
        assert_eq!(f.text, "软件ab");
        // "ab" starts after the two three-byte characters, at original byte 6; b at 9.
        assert_eq!((f.original(6), f.original(7)), (6, 9));
    }

    #[test]
    fn words_leave_out_punctuation_and_keep_original_offsets() {
        let text = "招聘：數據分析師，Java！";
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((t.text.clone(), text[t.offset_from..t.offset_to].to_owned()));
        }
        assert!(seen.iter().all(|(w, _)| is_word(w)), "{seen:?}");
        assert!(seen.contains(&("数据".to_owned(), "數據".to_owned())), "{seen:?}");
        assert!(seen.contains(&("java".to_owned(), "Java".to_owned())), "{seen:?}");
    }

    #[test]
    fn grams_are_characters_pairs_and_latin_runs() {
        let text = "软件c++工程";
        let g: Vec<&str> = grams(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(g, ["软", "软件", "件", "c", "工", "工程", "程"]);
        let mut tokenizer = GramTokenizer::default();
        assert_eq!(texts(tokenizer.token_stream("ＡＩ")), ["ai"]);
        assert_eq!(texts(tokenizer.token_stream("数据")), ["数", "数据", "据"], "a second text reuses the tokens");
    }

    #[test]
    fn a_query_word_keeps_its_finest_words_as_musts() {
        let w = &query_words("数据分析")[0];
        assert_eq!(w.leaves, ["分析", "数据"]);
        assert_eq!(w.wholes, ["数据分析"]);
        assert_eq!(w.grams, ["数据", "据分", "分析"]);
        let w = &query_words("張")[0];
        assert_eq!((w.text.as_str(), w.grams.clone()), ("张", vec!["张".to_owned()]));
    }

    #[test]
    fn a_query_is_words_never_syntax() {
        let words: Vec<String> =
            query_words("长沙  软件, title:java OR \"x\" 软件").into_iter().map(|w| w.text).collect();
        assert_eq!(words, ["长沙", "软件", "title", "java", "or", "x"]);
        assert!(query_words("  ，。!! ").is_empty());
        assert_eq!(query_words(&"字".repeat(100))[0].text.chars().count(), 32);
        assert_eq!(query_words("a b c d e f g h i j").len(), 8);
    }

    #[test]
    fn highlights_mark_the_original_text() {
        let words = query_words("软件 长沙");
        let pieces = highlight("長沙市軟件開發", &words, None);
        let marked: Vec<&str> = pieces.iter().filter(|p| p.hit).map(|p| p.text.as_str()).collect();
        assert_eq!(marked, ["長沙", "軟件"]);
        let long = format!("{}数据分析{}", "甲".repeat(200), "乙".repeat(200));
        let pieces = highlight(&long, &query_words("数据分析"), Some(60));
        assert_eq!(pieces.first().map(|p| p.text.as_str()), Some("…"));
        assert!(pieces.iter().any(|p| p.hit && p.text == "数据分析"));
        assert!(pieces.iter().map(|p| p.text.chars().count()).sum::<usize>() <= 62);
    }

    #[test]
    fn a_word_not_found_whole_is_marked_by_its_finest_words() {
        let pieces = highlight("分析数据的能力", &query_words("数据分析"), None);
        let marked: Vec<&str> = pieces.iter().filter(|p| p.hit).map(|p| p.text.as_str()).collect();
        assert_eq!(marked, ["分析数据"]);
    }
}
