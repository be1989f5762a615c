//! The `X-MMS-IM-Format` header of switchboard text messages (reference §10.2).

use super::content_type::{is_blank, trim_blank};
use super::num::{parse_hex, write_hex};

/// Why an `X-MMS-IM-Format` value (or a part given to [`ImFormat`]'s constructors) is invalid.
///
/// `offset` counts from the start of the header value (or of the part being set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ImFormatError {
    /// A byte that cannot appear there: CR or LF anywhere, `;` inside a parameter value, or a
    /// space or tab at either end of a value (it would be trimmed on parsing).
    #[error("byte {byte:#04x} at offset {offset} cannot appear in an X-MMS-IM-Format value")]
    ForbiddenByte {
        /// Position of the byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A parameter has no `=`.
    #[error("the X-MMS-IM-Format parameter at offset {offset} has no '='")]
    MissingEquals {
        /// Start of the parameter.
        offset: usize,
    },
    /// A parameter has nothing before its `=`.
    #[error("the X-MMS-IM-Format parameter at offset {offset} has an empty name")]
    EmptyKey {
        /// Start of the parameter.
        offset: usize,
    },
    /// `FN`, `EF`, `CO`, `CS`, `PF` or `RL` appears twice.
    #[error("the X-MMS-IM-Format parameter {key} appears again at offset {offset}")]
    DuplicateKey {
        /// Start of the second occurrence.
        offset: usize,
        /// The parameter's name.
        key: &'static str,
    },
    /// `CO`, `CS` or `PF` is not a hexadecimal number that fits (`CO` 32 bits, `CS` and `PF` 8).
    #[error("the value of {key} at offset {offset} is not a hexadecimal number that fits")]
    InvalidHex {
        /// Start of the value.
        offset: usize,
        /// The parameter's name.
        key: &'static str,
    },
}

/// The `EF` parameter: text effects as letters, `B` bold, `I` italic, `U` underline, `S`
/// strike-through (reference §10.2).
///
/// Lossless: the letters are kept exactly as received (order, unknown letters and all), and the
/// four flags are read from them. Unknown letters are ignored by the flag getters, as receivers
/// must ignore them; [`Effects::new`] writes the flags in the official order `BIUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Effects<'a> {
    letters: &'a [u8],
}

/// `EF` letters for each combination of flags (bit 0 bold, 1 italic, 2 underline, 3 strike).
const CANONICAL_EFFECTS: [&[u8]; 16] = [
    b"", b"B", b"I", b"BI", b"U", b"BU", b"IU", b"BIU", b"S", b"BS", b"IS", b"BIS", b"US", b"BUS",
    b"IUS", b"BIUS",
];

impl Effects<'static> {
    /// No effects: `EF=` (reference §10.2).
    pub const NONE: Effects<'static> = Effects { letters: b"" };

    /// The given flags, written in the official order `B`, `I`, `U`, `S` (reference §10.2).
    pub const fn new(bold: bool, italic: bool, underline: bool, strikethrough: bool) -> Self {
        let index = (bold as usize)
            | ((italic as usize) << 1)
            | ((underline as usize) << 2)
            | ((strikethrough as usize) << 3);
        Effects {
            letters: CANONICAL_EFFECTS[index],
        }
    }
}

impl<'a> Effects<'a> {
    /// Effects from raw `EF` letters, kept verbatim. Fails on CR, LF or `;` anywhere and on a
    /// space or tab at either end.
    pub fn from_letters(letters: &'a [u8]) -> Result<Self, ImFormatError> {
        check_part(letters)?;
        Ok(Effects { letters })
    }

    /// The letters exactly as received or written.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.letters
    }

    /// `B`: bold.
    pub fn is_bold(&self) -> bool {
        self.letters.contains(&b'B')
    }

    /// `I`: italic.
    pub fn is_italic(&self) -> bool {
        self.letters.contains(&b'I')
    }

    /// `U`: underline.
    pub fn is_underline(&self) -> bool {
        self.letters.contains(&b'U')
    }

    /// `S`: strike-through.
    pub fn is_strikethrough(&self) -> bool {
        self.letters.contains(&b'S')
    }

    /// Whether the letters contain anything besides `B`, `I`, `U` and `S` (ignored by receivers).
    pub fn has_unknown(&self) -> bool {
        self.letters
            .iter()
            .any(|b| !matches!(b, b'B' | b'I' | b'U' | b'S'))
    }

    /// Whether the letters are exactly what [`Effects::new`] writes for these flags.
    pub fn is_canonical(&self) -> bool {
        self.letters
            == Effects::new(
                self.is_bold(),
                self.is_italic(),
                self.is_underline(),
                self.is_strikethrough(),
            )
            .letters
    }
}

/// The known parameter names, in the order the official client writes them (reference §10.2).
const KNOWN_KEYS: [&str; 6] = ["FN", "EF", "CO", "CS", "PF", "RL"];

/// Text formatting of a plain-text message: the `X-MMS-IM-Format` header (reference §10.2).
///
/// > `;`-separated `KEY=value` pairs; the official client sends `FN`, `EF`, `CO`, `CS`, `PF` in
/// > that order and appends `RL` when right alignment is used; `FN` = URL-encoded font name (only
/// > spaces encoded), `EF` = letters for bold/italic/underline/strike-through (`B`,`I`,`U`,`S`),
/// > `CO` = colour as hex BGR, `CS` = Windows charset number in hex, `PF` = pitch-and-family in
/// > hex; font size cannot be specified. (reference §10.2)
///
/// Parsing accepts the parameters in any order and their names in any case, with spaces around
/// items ignored; empty items (`;;`) are skipped. Parameters other than the six known ones are
/// kept, in order, as [`UnknownFields`]. [`ImFormat::encode`] writes `FN`, `EF`, `CO`, `CS`,
/// `PF`, `RL` (those present) then the unknown ones, joined by `"; "`, numbers in lower-case hex
/// without leading zeros: a value in that canonical form encodes back to its exact bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImFormat<'a> {
    font_name: Option<&'a [u8]>,
    effects: Option<Effects<'a>>,
    color: Option<u32>,
    charset: Option<u8>,
    pitch_family: Option<u8>,
    right_align: Option<&'a [u8]>,
    unknown: UnknownFields<'a>,
}

impl<'a> ImFormat<'a> {
    /// No parameters at all (encodes to an empty value).
    pub const fn new() -> Self {
        ImFormat {
            font_name: None,
            effects: None,
            color: None,
            charset: None,
            pitch_family: None,
            right_align: None,
            unknown: UnknownFields { source: b"" },
        }
    }

    /// The five parameters the official client always sends, in its order (reference §10.2):
    /// `FN` (already URL-encoded), `EF`, `CO`, `CS`, `PF`.
    pub fn official(
        font_name: &'a [u8],
        effects: Effects<'a>,
        color: u32,
        charset: u8,
        pitch_family: u8,
    ) -> Result<Self, ImFormatError> {
        Ok(ImFormat::new()
            .with_font_name(font_name)?
            .with_effects(effects)
            .with_color(color)
            .with_charset(charset)
            .with_pitch_family(pitch_family))
    }

    /// Parses an `X-MMS-IM-Format` header value (reference §10.2).
    pub fn parse(value: &'a [u8]) -> Result<Self, ImFormatError> {
        if let Some(offset) = value.iter().position(|&b| b == b'\r' || b == b'\n') {
            return Err(ImFormatError::ForbiddenByte {
                offset,
                byte: value[offset],
            });
        }
        let mut format = ImFormat {
            unknown: UnknownFields { source: value },
            ..ImFormat::new()
        };
        for item in Items::new(value) {
            let item = item?;
            let Some(index) = known_index(item.key) else {
                continue;
            };
            let key = KNOWN_KEYS[index];
            let duplicate = ImFormatError::DuplicateKey {
                offset: item.offset,
                key,
            };
            let hex = |max: u32| {
                parse_hex(item.value)
                    .filter(|n| *n <= max)
                    .ok_or(ImFormatError::InvalidHex {
                        offset: item.value_offset,
                        key,
                    })
            };
            match index {
                0 => set_once(&mut format.font_name, item.value, duplicate)?,
                1 => set_once(
                    &mut format.effects,
                    Effects {
                        letters: item.value,
                    },
                    duplicate,
                )?,
                2 => set_once(&mut format.color, hex(u32::MAX)?, duplicate)?,
                3 => set_once(&mut format.charset, narrow(hex(0xff)?), duplicate)?,
                4 => set_once(&mut format.pitch_family, narrow(hex(0xff)?), duplicate)?,
                _ => set_once(&mut format.right_align, item.value, duplicate)?,
            }
        }
        Ok(format)
    }

    /// Sets `FN`, the font name, already URL-encoded ("only spaces encoded", reference §10.2).
    /// Fails on CR, LF or `;` anywhere and on a space or tab at either end.
    pub fn with_font_name(mut self, font_name: &'a [u8]) -> Result<Self, ImFormatError> {
        check_part(font_name)?;
        self.font_name = Some(font_name);
        Ok(self)
    }

    /// Sets `EF`, the effects.
    pub const fn with_effects(mut self, effects: Effects<'a>) -> Self {
        self.effects = Some(effects);
        self
    }

    /// Sets `CO`, the colour as a BGR number (`0xff0000` is blue).
    pub const fn with_color(mut self, bgr: u32) -> Self {
        self.color = Some(bgr);
        self
    }

    /// Sets `CS`, the Windows charset number (e.g. `0` ANSI, `0x80` Shift-JIS).
    pub const fn with_charset(mut self, charset: u8) -> Self {
        self.charset = Some(charset);
        self
    }

    /// Sets `PF`, the Windows pitch-and-family byte (e.g. `0x22` variable-pitch Swiss).
    pub const fn with_pitch_family(mut self, pitch_family: u8) -> Self {
        self.pitch_family = Some(pitch_family);
        self
    }

    /// Sets `RL`, appended by the official client when right alignment is used (reference
    /// §10.2). Fails on the bytes [`ImFormat::with_font_name`] refuses.
    pub fn with_right_align(mut self, value: &'a [u8]) -> Result<Self, ImFormatError> {
        check_part(value)?;
        self.right_align = Some(value);
        Ok(self)
    }

    /// `FN`: the font name, URL-encoded, as on the wire.
    pub const fn font_name(&self) -> Option<&'a [u8]> {
        self.font_name
    }

    /// `EF`: the effects.
    pub const fn effects(&self) -> Option<Effects<'a>> {
        self.effects
    }

    /// `CO`: the colour, a BGR number (blue in the high byte: `0xff0000` is blue).
    pub const fn color(&self) -> Option<u32> {
        self.color
    }

    /// `CO` as `(red, green, blue)`; `None` without `CO` or when it exceeds 24 bits.
    pub fn color_rgb(&self) -> Option<(u8, u8, u8)> {
        let [r, g, b, high] = self.color?.to_le_bytes();
        (high == 0).then_some((r, g, b))
    }

    /// `CS`: the Windows charset number.
    pub const fn charset(&self) -> Option<u8> {
        self.charset
    }

    /// `PF`: the Windows pitch-and-family byte.
    pub const fn pitch_family(&self) -> Option<u8> {
        self.pitch_family
    }

    /// `RL`: the right-alignment parameter's value as sent.
    pub const fn right_align(&self) -> Option<&'a [u8]> {
        self.right_align
    }

    /// Whether right alignment is requested: `RL` present with a value other than `0`.
    pub fn is_right_aligned(&self) -> bool {
        self.right_align.is_some_and(|v| v != b"0")
    }

    /// The parameters other than the six known ones, in order, as received.
    pub const fn unknown(&self) -> UnknownFields<'a> {
        self.unknown
    }

    /// Appends the canonical encoding (see the type's documentation) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut first = true;
        let mut sep = |out: &mut Vec<u8>, key: &[u8]| {
            if !first {
                out.extend_from_slice(b"; ");
            }
            first = false;
            out.extend_from_slice(key);
            out.push(b'=');
        };
        if let Some(font_name) = self.font_name {
            sep(out, b"FN");
            out.extend_from_slice(font_name);
        }
        if let Some(effects) = self.effects {
            sep(out, b"EF");
            out.extend_from_slice(effects.letters);
        }
        if let Some(color) = self.color {
            sep(out, b"CO");
            write_hex(out, color);
        }
        if let Some(charset) = self.charset {
            sep(out, b"CS");
            write_hex(out, u32::from(charset));
        }
        if let Some(pitch_family) = self.pitch_family {
            sep(out, b"PF");
            write_hex(out, u32::from(pitch_family));
        }
        if let Some(right_align) = self.right_align {
            sep(out, b"RL");
            out.extend_from_slice(right_align);
        }
        for (key, value) in self.unknown.iter() {
            sep(out, key);
            out.extend_from_slice(value);
        }
    }
}

/// `n` ≤ 0xff, checked by the caller.
fn narrow(n: u32) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    duplicate: ImFormatError,
) -> Result<(), ImFormatError> {
    if slot.is_some() {
        return Err(duplicate);
    }
    *slot = Some(value);
    Ok(())
}

/// Index of a known key in [`KNOWN_KEYS`], matched without regard to ASCII case.
fn known_index(key: &[u8]) -> Option<usize> {
    KNOWN_KEYS
        .iter()
        .position(|k| key.eq_ignore_ascii_case(k.as_bytes()))
}

/// A value set through a constructor must survive encoding and parsing unchanged.
fn check_part(part: &[u8]) -> Result<(), ImFormatError> {
    let bad = part
        .iter()
        .position(|&b| matches!(b, b'\r' | b'\n' | b';'))
        .or_else(|| part.first().filter(|b| is_blank(**b)).map(|_| 0))
        .or_else(|| {
            part.last()
                .filter(|b| is_blank(**b))
                .map(|_| part.len() - 1)
        });
    match bad {
        Some(offset) => Err(ImFormatError::ForbiddenByte {
            offset,
            byte: part[offset],
        }),
        None => Ok(()),
    }
}

/// The parameters of an `X-MMS-IM-Format` value that are not `FN`, `EF`, `CO`, `CS`, `PF` or
/// `RL`, kept in order and verbatim (reference §10.2 names only those six).
///
/// Two values are equal when they hold the same `(key, value)` pairs in the same order.
#[derive(Clone, Copy, Default)]
pub struct UnknownFields<'a> {
    /// The whole header value the pairs come from (already validated by [`ImFormat::parse`]).
    source: &'a [u8],
}

impl<'a> UnknownFields<'a> {
    /// The unknown `(key, value)` pairs, in order.
    pub fn iter(&self) -> ImFormatFields<'a> {
        ImFormatFields {
            items: Items::new(self.source),
        }
    }

    /// The value of the first unknown parameter named `key`, ignoring ASCII case.
    pub fn get(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// Whether there is no unknown parameter.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl<'a> IntoIterator for UnknownFields<'a> {
    type Item = (&'a [u8], &'a [u8]);
    type IntoIter = ImFormatFields<'a>;

    fn into_iter(self) -> ImFormatFields<'a> {
        self.iter()
    }
}

impl PartialEq for UnknownFields<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for UnknownFields<'_> {}

impl core::fmt::Debug for UnknownFields<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (Escaped(k), Escaped(v))))
            .finish()
    }
}

/// Debug-prints bytes as an escaped string literal without allocating.
struct Escaped<'a>(&'a [u8]);

impl core::fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

/// Iterator over the unknown `(key, value)` pairs of an `X-MMS-IM-Format` value (from
/// [`UnknownFields::iter`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImFormatFields<'a> {
    items: Items<'a>,
}

impl<'a> Iterator for ImFormatFields<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        self.items.by_ref().find_map(|item| {
            let item = item.ok()?;
            known_index(item.key)
                .is_none()
                .then_some((item.key, item.value))
        })
    }
}

/// One `KEY=value` item with the offsets of its start and of its value.
#[derive(Debug, Clone, Copy)]
struct Item<'a> {
    offset: usize,
    key: &'a [u8],
    value_offset: usize,
    value: &'a [u8],
}

/// Splits a value at `;` into trimmed `KEY=value` items, skipping empty ones.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Items<'a> {
    rest: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> Items<'a> {
    fn new(value: &'a [u8]) -> Self {
        Items {
            rest: value,
            offset: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Result<Item<'a>, ImFormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let (raw, start) = match memchr::memchr(b';', self.rest) {
                Some(semi) => {
                    let raw = self.rest.get(..semi).unwrap_or_default();
                    self.rest = self.rest.get(semi + 1..).unwrap_or_default();
                    let start = self.offset;
                    self.offset += semi + 1;
                    (raw, start)
                }
                None => {
                    self.done = true;
                    (self.rest, self.offset)
                }
            };
            let lead = raw.iter().take_while(|b| is_blank(**b)).count();
            let item = trim_blank(raw);
            if item.is_empty() {
                continue;
            }
            let offset = start + lead;
            let Some(eq) = memchr::memchr(b'=', item) else {
                return Some(Err(ImFormatError::MissingEquals { offset }));
            };
            let (key_raw, rest) = item.split_at(eq);
            let key = trim_blank(key_raw);
            if key.is_empty() {
                return Some(Err(ImFormatError::EmptyKey { offset }));
            }
            let value_raw = rest.get(1..).unwrap_or_default();
            let value_lead = value_raw.iter().take_while(|b| is_blank(**b)).count();
            return Some(Ok(Item {
                offset,
                key,
                value_offset: offset + eq + 1 + value_lead,
                value: trim_blank(value_raw),
            }));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICIAL: &[u8] = b"FN=Arial; EF=I; CO=0; CS=0; PF=22";

    fn encoded(format: &ImFormat<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        format.encode(&mut out);
        out
    }

    #[test]
    fn reference_example_parses_and_encodes_back_exactly() {
        let f = ImFormat::parse(OFFICIAL).expect("valid");
        assert_eq!(f.font_name(), Some(&b"Arial"[..]));
        let ef = f.effects().expect("EF");
        assert!(ef.is_italic() && !ef.is_bold() && !ef.is_underline() && !ef.is_strikethrough());
        assert_eq!(f.color(), Some(0));
        assert_eq!(f.color_rgb(), Some((0, 0, 0)));
        assert_eq!(f.charset(), Some(0));
        assert_eq!(f.pitch_family(), Some(0x22));
        assert_eq!(f.right_align(), None);
        assert!(!f.is_right_aligned());
        assert!(f.unknown().is_empty());
        assert_eq!(encoded(&f), OFFICIAL);
        let built = ImFormat::official(
            b"Arial",
            Effects::new(false, true, false, false),
            0,
            0,
            0x22,
        )
        .expect("valid");
        assert_eq!(built, f);
        assert_eq!(encoded(&built), OFFICIAL);
    }

    #[test]
    fn right_align_and_unknown_keys_are_kept() {
        let v = b"FN=MS%20Sans%20Serif; EF=BU; CO=ff0000; CS=86; PF=0; RL=1; XX=yes; Zz=";
        let f = ImFormat::parse(v).expect("valid");
        assert_eq!(f.font_name(), Some(&b"MS%20Sans%20Serif"[..]));
        assert_eq!(f.color(), Some(0xff_0000));
        assert_eq!(f.color_rgb(), Some((0, 0, 0xff)));
        assert_eq!(f.charset(), Some(0x86));
        assert_eq!(f.right_align(), Some(&b"1"[..]));
        assert!(f.is_right_aligned());
        let unknown: Vec<_> = f.unknown().iter().collect();
        assert_eq!(unknown, [(&b"XX"[..], &b"yes"[..]), (&b"Zz"[..], &b""[..])]);
        assert_eq!(f.unknown().get(b"xx"), Some(&b"yes"[..]));
        assert_eq!(encoded(&f), v);
    }

    #[test]
    fn lenient_forms_parse_but_encode_canonically() {
        let f = ImFormat::parse(b"pf=22;fn=Arial ;  EF=IB;;CO=00FF; ").expect("valid");
        assert_eq!(f.font_name(), Some(&b"Arial"[..]));
        assert_eq!(f.pitch_family(), Some(0x22));
        assert_eq!(f.color(), Some(0xff));
        let ef = f.effects().expect("EF");
        assert!(ef.is_bold() && ef.is_italic());
        assert!(!ef.is_canonical());
        assert_eq!(ef.as_bytes(), b"IB");
        assert_eq!(encoded(&f), b"FN=Arial; EF=IB; CO=ff; PF=22");
        assert_eq!(ImFormat::parse(b"").expect("empty"), ImFormat::new());
    }

    #[test]
    fn unknown_effect_letters_are_ignored_but_kept() {
        let f = ImFormat::parse(b"EF=BX").expect("valid");
        let ef = f.effects().expect("EF");
        assert!(ef.is_bold() && ef.has_unknown());
        assert_eq!(encoded(&f), b"EF=BX");
    }

    #[test]
    fn canonical_effects_table() {
        for i in 0..16u8 {
            let e = Effects::new(i & 1 != 0, i & 2 != 0, i & 4 != 0, i & 8 != 0);
            assert_eq!(e.is_bold(), i & 1 != 0);
            assert_eq!(e.is_italic(), i & 2 != 0);
            assert_eq!(e.is_underline(), i & 4 != 0);
            assert_eq!(e.is_strikethrough(), i & 8 != 0);
            assert!(e.is_canonical());
        }
        assert_eq!(Effects::new(true, true, true, true).as_bytes(), b"BIUS");
        assert_eq!(Effects::NONE.as_bytes(), b"");
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(
            ImFormat::parse(b"FN=Arial; EF"),
            Err(ImFormatError::MissingEquals { offset: 10 })
        );
        assert_eq!(
            ImFormat::parse(b"FN=a;  =x"),
            Err(ImFormatError::EmptyKey { offset: 7 })
        );
        assert_eq!(
            ImFormat::parse(b"CO=0; co=1"),
            Err(ImFormatError::DuplicateKey {
                offset: 6,
                key: "CO"
            })
        );
        assert_eq!(
            ImFormat::parse(b"CS= zz"),
            Err(ImFormatError::InvalidHex {
                offset: 4,
                key: "CS"
            })
        );
        assert_eq!(
            ImFormat::parse(b"PF=100"),
            Err(ImFormatError::InvalidHex {
                offset: 3,
                key: "PF"
            })
        );
        assert_eq!(
            ImFormat::parse(b"CO=100000000"),
            Err(ImFormatError::InvalidHex {
                offset: 3,
                key: "CO"
            })
        );
        assert_eq!(
            ImFormat::parse(b"FN=a\r\n"),
            Err(ImFormatError::ForbiddenByte {
                offset: 4,
                byte: b'\r'
            })
        );
        let e = ImFormat::parse(b"FN=Arial; EF").expect_err("invalid");
        assert_eq!(
            e.to_string(),
            "the X-MMS-IM-Format parameter at offset 10 has no '='"
        );
    }

    #[test]
    fn constructors_refuse_what_would_not_round_trip() {
        assert!(ImFormat::new().with_font_name(b"A;B").is_err());
        assert!(ImFormat::new().with_font_name(b" Arial").is_err());
        assert!(ImFormat::new().with_font_name(b"Arial\t").is_err());
        assert!(ImFormat::new().with_font_name(b"A\nB").is_err());
        assert!(ImFormat::new().with_right_align(b"1;").is_err());
        assert!(Effects::from_letters(b"B;I").is_err());
        assert!(ImFormat::new().with_font_name(b"").is_ok());
        assert_eq!(
            Effects::from_letters(b"BI").map(|e| e.as_bytes()),
            Ok(&b"BI"[..])
        );
    }
}
