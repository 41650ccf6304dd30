//! The `htu` comparison: the proof's URL against the request's, without query and fragment
//! (RFC 9449 §4.3 check 9).
//!
//! Both URLs go through [`normalize`] and the results must be equal byte for byte. RFC 9449
//! §4.3 says servers SHOULD apply RFC 3986 syntax-based (§6.2.2) and scheme-based (§6.2.3)
//! normalization; this is exactly the normalization applied, and nothing else:
//!
//! - everything from the first `?` or `#` on is dropped (on both sides: a claim that carries
//!   a query is accepted, which is what oauth4webapi and the OpenID conformance suite do);
//! - the scheme must be `http` or `https`, in any case, and is lowercased;
//! - the host is lowercased; it must be non-empty, without userinfo (`user@`, which RFC 9110
//!   §4.2.4 forbids in http(s) URIs) and without percent-encoding;
//! - an empty port (`host:`) and the scheme's default port (80, 443) are dropped; other
//!   ports are written as a number (so `:08443` is `:8443`);
//! - an empty path is `/`;
//! - in the path, percent-encoded unreserved characters (`A–Z a–z 0–9 - . _ ~`) are decoded
//!   and the hex digits of the other percent-encodings are uppercased (§6.2.2.1–2), then dot
//!   segments are removed (§6.2.2.3, RFC 3986 §5.2.4).
//!
//! So `HTTPS://Server.Example.COM:443/a/./%7Euser` and `https://server.example.com/~user`
//! are the same `htu`, while a trailing `/`, a different path case, `http` for `https`, or
//! `%2F` for `/` are different ones. A URL that is not printable ASCII without spaces is
//! refused rather than guessed at. oauth4webapi does not decode percent-encoded unreserved
//! characters (it refuses `%61pi` for `api`); the DPoP vectors pin that difference.

use std::borrow::Cow;

/// Longest URL, in bytes, either side of the comparison may be.
pub const MAX_URL_LEN: usize = 8192;

/// Why a URL cannot be compared.
pub type Invalid = &'static str;

/// The normalized form of `url`; see the module documentation. A URL already in normal form
/// (the usual case: lowercase scheme and host, no default port, no percent-encoding, no dot
/// segments) is returned borrowed, up to its query or fragment, without allocating.
pub fn normalize(url: &str) -> Result<Cow<'_, str>, Invalid> {
    if url.len() > MAX_URL_LEN {
        return Err("longer than the limit");
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("not printable ASCII without spaces");
    }
    let (scheme, rest) = url.split_once("://").ok_or("no scheme and authority")?;
    let default_port = if scheme.eq_ignore_ascii_case("http") {
        80
    } else if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        return Err("scheme is not http or https");
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    if authority.contains('@') {
        return Err("has userinfo");
    }
    let (host, port) = split_host_port(authority)?;
    if host.is_empty() {
        return Err("empty host");
    }
    if host.contains('%') {
        return Err("percent-encoded host");
    }
    let port_text = port;
    let port = match port {
        None | Some("") => None,
        Some(digits) => match parse_port(digits)? {
            p if p == default_port => None,
            p => Some(p),
        },
    };
    let already_normal = scheme.bytes().all(|b| b.is_ascii_lowercase())
        && !host.bytes().any(|b| b.is_ascii_uppercase())
        && match (port_text, port) {
            (None, _) => true,
            // Written as the number is: no leading zero, not the default.
            (Some(digits), Some(_)) => !digits.starts_with('0'),
            (Some(_), None) => false,
        }
        && path.starts_with('/')
        && !path.contains('%')
        && !path
            .split('/')
            .any(|segment| segment == "." || segment == "..");
    if already_normal {
        let end = scheme.len() + "://".len() + rest.len();
        return Ok(Cow::Borrowed(url.get(..end).unwrap_or_default()));
    }
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        remove_dot_segments(&normalize_percent(path)?)
    };
    Ok(Cow::Owned(format!(
        "{}://{}{port}{path}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    )))
}

/// Splits `host[:port]`, where host may be an IP literal in brackets.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), Invalid> {
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or("unclosed IP literal")?;
        let (host, after) = authority.split_at(close + 1);
        return match after {
            "" => Ok((host, None)),
            _ => after
                .strip_prefix(':')
                .map(|port| (host, Some(port)))
                .ok_or("junk after IP literal"),
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn parse_port(digits: &str) -> Result<u32, Invalid> {
    digits.bytes().try_fold(0u32, |acc, b| {
        if !b.is_ascii_digit() {
            return Err("port is not a number");
        }
        acc.checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(b - b'0')))
            .filter(|&n| n <= 65535)
            .ok_or("port above 65535")
    })
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 §6.2.2.1 and §6.2.2.2 over a path of printable ASCII.
fn normalize_percent(path: &str) -> Result<String, Invalid> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(char::from(b));
            i += 1;
            continue;
        }
        let hex = |j: usize| {
            bytes
                .get(j)
                .and_then(|&h| char::from(h).to_digit(16))
                .ok_or("bad percent-encoding")
        };
        let value = ((hex(i + 1)? << 4) | hex(i + 2)?) as u8;
        if is_unreserved(value) {
            out.push(char::from(value));
        } else {
            out.push_str(&format!("%{value:02X}"));
        }
        i += 3;
    }
    Ok(out)
}

/// RFC 3986 §5.2.4 for an absolute path (one that starts with `/`).
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => {
                out.push(other);
                continue;
            }
        }
        // A final `.` or `..` leaves the path ending in `/`.
        if last {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        normalize(a).unwrap() == normalize(b).unwrap()
    }

    #[test]
    fn equivalent_spellings() {
        let base = "https://server.example.com/token";
        for other in [
            "HTTPS://SERVER.EXAMPLE.COM/token",
            "https://server.example.com:443/token",
            "https://server.example.com:00443/token",
            "https://server.example.com:/token",
            "https://server.example.com/token?a=1",
            "https://server.example.com/token#frag",
            "https://server.example.com/token#frag?x",
            "https://server.example.com/x/../token",
            "https://server.example.com/./token",
            "https://server.example.com/%74oken",
            "https://server.example.com/%74%6F%6b%65%6E",
        ] {
            assert!(same(base, other), "{other}");
        }
        assert!(same("https://a.example", "https://a.example/"));
        assert!(same("https://a.example?q", "https://a.example/"));
        assert!(same("http://a.example:80/", "http://a.example/"));
        assert!(same("https://a.example/%7euser", "https://a.example/~user"));
        assert!(same("https://a.example/a%2fb", "https://a.example/a%2Fb"));
        assert!(same("https://[::1]:443/p", "https://[::1]/p"));
        assert!(same("https://a.example/a/b/..", "https://a.example/a/"));
        assert!(same("https://a.example/a/b/.", "https://a.example/a/b/"));
        assert!(same("https://a.example/..", "https://a.example/"));
    }

    #[test]
    fn different_resources() {
        let base = "https://server.example.com/token";
        for other in [
            "https://server.example.com/token/",
            "https://server.example.com/Token",
            "http://server.example.com/token",
            "https://server.example.com:8443/token",
            "https://other.example.com/token",
            "https://server.example.com/tok%2Fen",
            "https://server.example.com//token",
        ] {
            assert!(!same(base, other), "{other}");
        }
        assert!(!same("https://a.example/a/b", "https://a.example/a%2Fb"));
        assert_eq!(
            normalize("https://a.example:08443/x").unwrap(),
            "https://a.example:8443/x"
        );
    }

    /// URLs in normal form come back borrowed, and every other spelling is normalized as
    /// before.
    #[test]
    fn normal_form_is_borrowed() {
        for (url, normal, borrowed) in [
            ("https://a.example/x", "https://a.example/x", true),
            ("https://a.example/x?q=1#f", "https://a.example/x", true),
            (
                "http://a.example:8080/a/b",
                "http://a.example:8080/a/b",
                true,
            ),
            ("https://[::1]/p", "https://[::1]/p", true),
            ("https://a.example", "https://a.example/", false),
            ("HTTPS://a.example/x", "https://a.example/x", false),
            ("https://A.example/x", "https://a.example/x", false),
            ("https://a.example:443/x", "https://a.example/x", false),
            ("https://a.example:/x", "https://a.example/x", false),
            ("http://a.example:08080/x", "http://a.example:8080/x", false),
            ("https://a.example/%41", "https://a.example/A", false),
            ("https://a.example/a/./b", "https://a.example/a/b", false),
            ("https://a.example/a/..", "https://a.example/", false),
        ] {
            let got = normalize(url).unwrap();
            assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{url}");
            assert_eq!(got, normal);
        }
    }

    #[test]
    fn refused() {
        for (url, why) in [
            ("ftp://a.example/", "scheme is not http or https"),
            ("/token", "no scheme and authority"),
            ("https:/a.example/", "no scheme and authority"),
            ("https://user@a.example/", "has userinfo"),
            ("https:///token", "empty host"),
            ("https://:443/token", "empty host"),
            ("https://a%2Eexample/", "percent-encoded host"),
            ("https://a.example:99999/", "port above 65535"),
            ("https://a.example:4a/", "port is not a number"),
            ("https://[::1/", "unclosed IP literal"),
            ("https://[::1]x/", "junk after IP literal"),
            ("https://a.example/%zz", "bad percent-encoding"),
            ("https://a.example/%4", "bad percent-encoding"),
            (
                "https://a.example/a b",
                "not printable ASCII without spaces",
            ),
            (
                "https://a.example/\u{e9}",
                "not printable ASCII without spaces",
            ),
        ] {
            assert_eq!(normalize(url), Err(why), "{url}");
        }
        let long = format!("https://a.example/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(normalize(&long), Err("longer than the limit"));
    }
}
