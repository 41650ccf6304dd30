//! One pass over the caveat spellings that real tokens carry, with no allocation.
//!
//! Every caveat PyPI mints and every caveat pypitoken adds is a JSON array of small integers,
//! escape-free strings, lists of such strings and `null`, optionally spaced. This reader
//! accepts exactly that subset and returns the caveat it spells when the caveat is valid in
//! the profile; for anything else (escapes, floats, objects, legacy mappings, any error) it
//! returns `None` and the caller reads the caveat with the general parser, which alone
//! decides every error and every quirk. So the reader can only be incomplete, never a second
//! opinion: where it answers, it answers what the general parser answers, which the
//! `caveat_fast_path_agrees` property test and the `caveat` fuzz target check.

use super::json::{Int, JsonStr};
use super::{
    is_canonical_jkt, is_canonical_uuid, is_normalized_name, Caveat, StrList,
    STRICT_MAX_CAVEAT_BYTES,
};
use crate::Profile;

/// Elements kept from the array after the tag; later ones are read and dropped.
const KEPT: usize = 2;

/// An element of the subset.
#[derive(Clone)]
enum Item<'a> {
    Int(Int<'a>),
    Str(JsonStr<'a>),
    List(StrList<'a>),
    Null,
}

struct Scan<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// JSON whitespace, as Python's decoder skips it.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    /// An integer literal (`-?(0|[1-9][0-9]*)`) not followed by a fraction or exponent, of
    /// at most 18 digits (every `i64` time of this era; longer ones take the general parser,
    /// which also applies Python's 4300-digit limit).
    fn int(&mut self) -> Option<Int<'a>> {
        let start = self.pos;
        self.eat(b'-');
        let digits = self.pos;
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.pos += 1;
                }
            }
            _ => return None,
        }
        if self.pos - digits > 18 || matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
            return None;
        }
        Some(Int::from_checked_literal(self.text.get(start..self.pos)?))
    }

    /// A string with no escape and no control character, after its opening quote.
    fn plain_str(&mut self) -> Option<JsonStr<'a>> {
        let start = self.pos;
        let rest = self.text.as_bytes().get(start..)?;
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        Some(JsonStr::plain(self.text.get(start..start + len)?))
    }

    /// A list of plain strings, after its opening bracket.
    fn str_list(&mut self) -> Option<StrList<'a>> {
        let start = self.pos;
        let mut len = 0;
        self.skip_ws();
        if !self.eat(b']') {
            loop {
                self.skip_ws();
                if !self.eat(b'"') {
                    return None;
                }
                self.plain_str()?;
                len += 1;
                self.skip_ws();
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }
        Some(StrList::plain(self.text.get(start..self.pos - 1)?, len))
    }

    fn item(&mut self) -> Option<Item<'a>> {
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                self.plain_str().map(Item::Str)
            }
            b'[' => {
                self.pos += 1;
                self.str_list().map(Item::List)
            }
            b'n' => {
                let found = self.text.get(self.pos..)?.starts_with("null");
                self.pos += 4;
                found.then_some(Item::Null)
            }
            _ => self.int().map(Item::Int),
        }
    }
}

/// The array `[tag, items…]`: the tag, the first [`KEPT`] items and the number of items.
fn scan(text: &str) -> Option<(i64, [Option<Item<'_>>; KEPT], usize)> {
    let mut s = Scan { text, pos: 0 };
    s.skip_ws();
    if !s.eat(b'[') {
        return None;
    }
    s.skip_ws();
    let tag = s.int()?.as_i64()?;
    let mut items: [Option<Item<'_>>; KEPT] = [None, None];
    let mut count = 0usize;
    loop {
        s.skip_ws();
        if s.eat(b']') {
            break;
        }
        if !s.eat(b',') {
            return None;
        }
        s.skip_ws();
        let item = s.item()?;
        if let Some(slot) = items.get_mut(count) {
            *slot = Some(item);
        }
        count += 1;
    }
    s.skip_ws();
    (s.pos == text.len()).then_some((tag, items, count))
}

/// The caveat `text` spells, if it is in the subset and valid in `profile`.
pub(super) fn parse(text: &str, profile: Profile) -> Option<Caveat<'_>> {
    if profile == Profile::Strict && text.len() > STRICT_MAX_CAVEAT_BYTES {
        return None;
    }
    let (tag, items, count) = scan(text)?;
    let [first, second] = items;
    match profile {
        Profile::Warehouse => warehouse(tag, first, second),
        Profile::Strict => strict(tag, first, second, count),
    }
}

/// PyPI reads as many elements as the caveat class has fields and ignores the rest.
fn warehouse<'a>(
    tag: i64,
    first: Option<Item<'a>>,
    second: Option<Item<'a>>,
) -> Option<Caveat<'a>> {
    match (tag, first, second) {
        (0, Some(Item::Int(expires_at)), Some(Item::Int(not_before))) => Some(Caveat::Expiration {
            expires_at,
            not_before,
        }),
        (1, Some(Item::List(names)), _) => Some(Caveat::ProjectName { names }),
        (2, Some(Item::List(ids)), _) => Some(Caveat::ProjectId { ids }),
        (3, Some(Item::Str(user_id)), _) => Some(Caveat::RequestUser { user_id }),
        (4, Some(Item::Str(publisher_id)), None | Some(Item::Null)) => {
            Some(Caveat::OidcPublisher {
                publisher_id,
                claims: None,
            })
        }
        _ => None,
    }
}

fn uuid(s: &JsonStr<'_>) -> bool {
    is_canonical_uuid(s.raw())
}

fn non_negative_i64(i: &Int<'_>) -> bool {
    i.as_i64().is_some_and(|n| n >= 0)
}

/// The canonical shapes only: exact element counts, non-negative `i64` times, normalized
/// names, canonical UUIDs, canonical thumbprints, non-empty lists.
fn strict<'a>(
    tag: i64,
    first: Option<Item<'a>>,
    second: Option<Item<'a>>,
    count: usize,
) -> Option<Caveat<'a>> {
    match (tag, count, first, second) {
        (0, 2, Some(Item::Int(expires_at)), Some(Item::Int(not_before)))
            if non_negative_i64(&expires_at) && non_negative_i64(&not_before) =>
        {
            Some(Caveat::Expiration {
                expires_at,
                not_before,
            })
        }
        (1, 1, Some(Item::List(names)), _)
            if !names.is_empty() && names.iter().all(|n| is_normalized_name(n.raw())) =>
        {
            Some(Caveat::ProjectName { names })
        }
        (2, 1, Some(Item::List(ids)), _) if !ids.is_empty() && ids.iter().all(|i| uuid(&i)) => {
            Some(Caveat::ProjectId { ids })
        }
        (3, 1, Some(Item::Str(user_id)), _) if uuid(&user_id) => {
            Some(Caveat::RequestUser { user_id })
        }
        (5, 1, Some(Item::Str(jkt)), _) if is_canonical_jkt(jkt.raw()) => {
            Some(Caveat::KeyBinding { jkt })
        }
        (4, 1, Some(Item::Str(publisher_id)), _)
        | (4, 2, Some(Item::Str(publisher_id)), Some(Item::Null))
            if uuid(&publisher_id) =>
        {
            Some(Caveat::OidcPublisher {
                publisher_id,
                claims: None,
            })
        }
        _ => None,
    }
}
