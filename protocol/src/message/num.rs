//! Small number helpers shared by the message views and the builder (no allocation).

/// Parses a non-empty run of ASCII decimal digits (leading zeros allowed); `None` on any other
/// byte or on overflow.
pub(super) fn parse_decimal(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |acc, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// [`parse_decimal`] narrowed to `u32`.
pub(super) fn parse_decimal_u32(bytes: &[u8]) -> Option<u32> {
    parse_decimal(bytes).and_then(|n| u32::try_from(n).ok())
}

/// `1` → `true`, `0` → `false`, anything else → `None`.
pub(super) fn parse_flag(bytes: &[u8]) -> Option<bool> {
    match bytes {
        b"1" => Some(true),
        b"0" => Some(false),
        _ => None,
    }
}

/// Parses a non-empty run of ASCII hex digits of either case (leading zeros allowed); `None` on
/// any other byte or on overflow.
pub(super) fn parse_hex(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| {
        let digit = char::from(b).to_digit(16)?;
        acc.checked_mul(16)?.checked_add(digit)
    })
}

/// Appends `n` in decimal, without leading zeros (the crate's one decimal writer).
pub(super) use crate::grammar::write_decimal;

/// Appends `n` in lower-case hexadecimal, without leading zeros (`0` for zero), the form of the
/// official client's `CO=0; CS=0; PF=22` (reference §10.2).
pub(super) fn write_hex(out: &mut Vec<u8>, mut n: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 8];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n & 0xf) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_round_trip_and_limits() {
        for n in [0u64, 1, 9, 10, 1027, 1_726_321_960, u64::MAX] {
            let mut out = Vec::new();
            write_decimal(&mut out, n);
            assert_eq!(parse_decimal(&out), Some(n));
        }
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"-1"), None);
        assert_eq!(parse_decimal(b"1 "), None);
        assert_eq!(parse_decimal(b"18446744073709551616"), None);
        assert_eq!(parse_decimal(b"007"), Some(7));
        assert_eq!(parse_decimal_u32(b"4294967296"), None);
        assert_eq!(parse_decimal_u32(b"4294967295"), Some(u32::MAX));
    }

    #[test]
    fn hex_round_trip_and_limits() {
        for n in [0u32, 0x22, 0xff, 0xff_0000, u32::MAX] {
            let mut out = Vec::new();
            write_hex(&mut out, n);
            assert_eq!(parse_hex(&out), Some(n));
        }
        let mut out = Vec::new();
        write_hex(&mut out, 0);
        assert_eq!(out, b"0");
        assert_eq!(parse_hex(b"FF"), Some(0xff));
        assert_eq!(parse_hex(b""), None);
        assert_eq!(parse_hex(b"0x1"), None);
        assert_eq!(parse_hex(b"100000000"), None);
        assert_eq!(parse_hex(b"000000001"), Some(1));
    }
}
