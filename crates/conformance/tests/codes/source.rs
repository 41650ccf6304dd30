//! The codes the reference implementation can produce, read from its source text.
//!
//! Every code the reference reports is a `&'static str` literal somewhere under
//! `crates/caveatspec/src/` (the reference crate, which holds nothing else) or in its glue to
//! the harness, `crates/conformance/src/` (the `input.*` codes of a vector it cannot read): in the
//! `match` of a `code()` method (token, macaroon, jose, dpop, atr, bound, restrict), or passed
//! to a constructor where the code is data (`CaveatError::strict("caveat.tag_type")`,
//! `Failure { code: "stored.invalid", .. }`). So the scan takes every string literal of the
//! shape `<family>.<name>` in the reference's non-test code, wherever it stands, and needs no
//! knowledge of the call shapes. Left out are: test code (any item under a `cfg` attribute that
//! mentions `test`, and the files such a `mod x;` declares), comments, byte strings, the names
//! of the shipped vector files (`"dpop.json"`, which share the shape and are passed in). The
//! runner that relays other implementations' codes, the CLI and the fuzz target bodies are
//! crates of their own and are not scanned.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every code-shaped literal under `src_dir` but those in `not_codes`, with the files it
/// occurs in (paths from the crate's root).
pub fn reference_codes(
    src_dir: &Path,
    not_codes: &BTreeSet<&str>,
) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut files = Vec::new();
    collect_rs_files(src_dir, &mut files)?;
    let mut test_only = BTreeSet::new();
    let mut scanned = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let scan = scan(&text);
        for name in &scan.test_modules {
            test_only.extend(module_files(path, name));
        }
        scanned.push((path, scan.literals));
    }
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, literals) in scanned {
        if test_only.contains(path) {
            continue;
        }
        let shown = path.display().to_string();
        let codes_only = |l: &String| is_code_shaped(l) && !not_codes.contains(l.as_str());
        for literal in literals.into_iter().filter(codes_only) {
            codes.entry(literal).or_default().insert(shown.clone());
        }
    }
    Ok(codes)
}

/// `<family>.<name>`, each a lower-case ASCII letter, then letters, digits and `_`.
pub fn is_code_shaped(s: &str) -> bool {
    let word = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    match s.split_once('.') {
        Some((family, name)) => word(family) && word(name),
        None => false,
    }
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_rs_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The files a `mod name;` in `declaring` can stand for.
fn module_files(declaring: &Path, name: &str) -> [PathBuf; 2] {
    let dir = declaring.parent().unwrap_or(Path::new("."));
    let stem = declaring.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let base = if matches!(stem, "mod" | "lib" | "main") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    [
        base.join(format!("{name}.rs")),
        base.join(name).join("mod.rs"),
    ]
}

/// What one file holds outside its test-only items.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// String literals (not byte strings), unescaped only as far as codes need: verbatim.
    pub literals: Vec<String>,
    /// Names of out-of-line modules declared test-only (`#[cfg(test)] mod tests;`).
    pub test_modules: Vec<String>,
}

/// Scans one file's text.
pub fn scan(text: &str) -> Scan {
    let tokens = lex(text);
    let mut out = Scan::default();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((end, is_test)) = attribute(&tokens, i) {
            if is_test {
                i = skip_item(&tokens, end, &mut out.test_modules);
            } else {
                i = end;
            }
            continue;
        }
        if let Token::Str(s) = &tokens[i] {
            out.literals.push(s.clone());
        }
        i += 1;
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A string literal's content (raw or not); byte strings are not kept.
    Str(String),
    Ident(String),
    Punct(char),
}

/// `#[…]` or `#![…]` at `i`: the index after it, and whether it is a `cfg` that mentions
/// `test` (so the item it is on exists only in test builds).
fn attribute(tokens: &[Token], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    if tokens.get(i) != Some(&Token::Punct('#')) {
        return None;
    }
    if tokens.get(j) == Some(&Token::Punct('!')) {
        j += 1;
    }
    if tokens.get(j) != Some(&Token::Punct('[')) {
        return None;
    }
    let end = closing(tokens, j)?;
    let inner = &tokens[j + 1..end];
    let ident = |name: &str| inner.iter().any(|t| *t == Token::Ident(name.to_owned()));
    let is_test =
        inner.first() == Some(&Token::Ident("cfg".to_owned())) && ident("test") && !ident("not");
    Some((end + 1, is_test))
}

/// Skips the item starting at `i` (after its attributes); records `mod name;` declarations.
fn skip_item(tokens: &[Token], mut i: usize, test_modules: &mut Vec<String>) -> usize {
    while let Some((end, _)) = attribute(tokens, i) {
        i = end;
    }
    let start = i;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct(';') => {
                let words: Vec<&Token> = tokens[start..i].iter().collect();
                if let [.., Token::Ident(m), Token::Ident(name)] = words.as_slice() {
                    if m == "mod" {
                        test_modules.push(name.clone());
                    }
                }
                return i + 1;
            }
            Token::Punct('{') => return closing(tokens, i).map_or(tokens.len(), |e| e + 1),
            Token::Punct('(') | Token::Punct('[') => {
                i = closing(tokens, i).map_or(tokens.len(), |e| e + 1);
            }
            _ => i += 1,
        }
    }
    i
}

/// The index of the bracket closing the one at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Punct('{' | '[' | '(') => depth += 1,
            Token::Punct('}' | ']' | ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Rust tokens, as far as the scan needs them: comments dropped, string literals kept,
/// character literals and lifetimes told apart so that `'"'` opens no string.
fn lex(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        match c[i] {
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0usize;
                while i < c.len() {
                    if c[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => {
                let (s, next) = quoted(&c, i + 1);
                out.push(Token::Str(s));
                i = next;
            }
            '\'' => i = char_or_lifetime(&c, i),
            ch if ch.is_alphabetic() || ch == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let next = at(i);
                let raw_hashes = || c[i..].iter().take_while(|&&h| h == '#').count();
                match (word.as_str(), next) {
                    ("b", '"') => i = quoted(&c, i + 1).1,
                    ("b", '\'') => i = char_or_lifetime(&c, i),
                    ("r" | "br", '"' | '#') if at(i + raw_hashes()) == '"' => {
                        let hashes = raw_hashes();
                        let (s, next) = raw(&c, i + hashes + 1, hashes);
                        if word == "r" {
                            out.push(Token::Str(s));
                        }
                        i = next;
                    }
                    _ => out.push(Token::Ident(word)),
                }
            }
            ch if ch.is_whitespace() => i += 1,
            ch => {
                out.push(Token::Punct(ch));
                i += 1;
            }
        }
    }
    out
}

/// A `"…"` body from `i` (after the quote): its text, escapes kept as written, and the index
/// after the closing quote.
fn quoted(c: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < c.len() && c[i] != '"' {
        i += if c[i] == '\\' { 2 } else { 1 };
    }
    let end = i.min(c.len());
    (c[start..end].iter().collect(), end + 1)
}

/// A raw string body from `i` up to `"` and `hashes` `#`s.
fn raw(c: &[char], mut i: usize, hashes: usize) -> (String, usize) {
    let start = i;
    while i < c.len() {
        if c[i] == '"'
            && c[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return (c[start..i].iter().collect(), i + 1 + hashes);
        }
        i += 1;
    }
    (c[start..].iter().collect(), c.len())
}

/// At a `'`: skips a character literal (`'x'`, `'\n'`, `'\u{1F600}'`) or just the quote of a
/// lifetime (`'a`).
fn char_or_lifetime(c: &[char], i: usize) -> usize {
    match (c.get(i + 1), c.get(i + 2)) {
        (Some('\\'), _) => {
            let mut k = i + 3;
            while k < c.len() && c[k] != '\'' {
                k += 1;
            }
            k + 1
        }
        (Some(_), Some('\'')) => i + 3,
        _ => i + 1,
    }
}
