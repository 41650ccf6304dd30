//! Adapter-supplied text made safe to show: cut to a bounded length, and with control
//! characters written as escapes so that a report printed on a terminal cannot move the cursor,
//! recolour it or rewrite earlier lines.

/// No reason in a report is longer than this many bytes (an adapter may send megabytes).
pub const MAX_WHY: usize = 400;

/// `s` cut to at most `max` bytes on a character boundary, with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let cut = (0..=max)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    format!("{}…", &s[..cut])
}

/// `s` with every control character (C0, DEL, C1) and every bidirectional override or isolate
/// written as `\u{…}`, and backslashes doubled so the escapes cannot be forged.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if is_unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A control character, a line or paragraph separator, or one that reorders text when
/// displayed (Unicode's explicit directional formatting): never shown as itself.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::{clip, printable};

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            printable("a\x1b[2Jb\r\n\u{202e}c\\"),
            "a\\u{1b}[2Jb\\u{d}\\u{a}\\u{202e}c\\\\"
        );
        assert_eq!(printable("é ok"), "é ok");
    }

    #[test]
    fn clipping_keeps_characters_whole() {
        assert_eq!(clip("ééé", 3), "é…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
