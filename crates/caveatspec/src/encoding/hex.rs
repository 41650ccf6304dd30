//! Hex: lower-case digits out, either case in, nothing else.

use std::fmt::Write;

/// Why [`decode`] refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// An odd number of characters: the last byte would have one digit.
    #[error("odd number of hex digits ({len})")]
    OddLength {
        /// The input length, in bytes.
        len: usize,
    },
    /// A byte that is not `0–9 a–f A–F` (a sign, whitespace, any non-ASCII byte).
    #[error("byte 0x{byte:02x} at offset {offset} is not a hex digit")]
    InvalidDigit {
        /// Byte offset in the input.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
}

/// Bytes as lower-case hex, two digits each.
pub fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Hex of either case to bytes. Unlike `u8::from_str_radix`, refuses a `+` sign.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    let b = text.as_bytes();
    if b.len() % 2 != 0 {
        return Err(HexError::OddLength { len: b.len() });
    }
    let digit = |offset: usize| {
        let byte = b.get(offset).copied().unwrap_or(0);
        char::from(byte)
            .to_digit(16)
            .map(|d| d as u8)
            .ok_or(HexError::InvalidDigit { offset, byte })
    };
    (0..b.len() / 2)
        .map(|i| Ok((digit(2 * i)? << 4) | digit(2 * i + 1)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_either_case() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&bytes)), Ok(bytes.clone()));
        assert_eq!(decode(&encode(&bytes).to_uppercase()), Ok(bytes));
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode(""), Ok(vec![]));
    }

    #[test]
    fn refuses_odd_length_and_non_digits() {
        assert_eq!(decode("abc"), Err(HexError::OddLength { len: 3 }));
        assert_eq!(
            decode("+f"),
            Err(HexError::InvalidDigit {
                offset: 0,
                byte: b'+'
            })
        );
        assert_eq!(
            decode("0g"),
            Err(HexError::InvalidDigit {
                offset: 1,
                byte: b'g'
            })
        );
        // A non-ASCII character: its first byte is reported.
        assert_eq!(
            decode("é"),
            Err(HexError::InvalidDigit {
                offset: 0,
                byte: 0xc3
            })
        );
        for (text, offset, byte) in [(" 0", 0, b' '), ("0\0", 1, 0), ("00\n0", 2, b'\n')] {
            assert_eq!(decode(text), Err(HexError::InvalidDigit { offset, byte }));
        }
        // Long input: the first bad digit is found wherever it is.
        let long = format!("{}zz", "ab".repeat(100_000));
        assert_eq!(
            decode(&long),
            Err(HexError::InvalidDigit {
                offset: 200_000,
                byte: b'z'
            })
        );
    }
}
