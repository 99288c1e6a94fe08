use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

/// How JSON text is laid out and escaped, for platforms whose bytes differ from compact JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonStyle {
    /// `{"a":1,"b":2}` with standard escaping.
    Compact,
    /// `{"a": 1,"b": 2}`: a space after each key's colon and none after commas (AMS v1 routes).
    SpacedKeys,
    /// Compact, with PHP's default `json_encode` escaping: `/` as `\/`, every non-ASCII
    /// character as `\uXXXX` (UTF-16), and empty objects as `[]` (REDCap).
    Php,
}

/// Serialises `value` in `style`. Key order is the order the value serialises its keys in
/// (struct field order, or [`super::OrderedJson`] insertion order).
pub fn to_styled_vec<T: Serialize + ?Sized>(value: &T, style: JsonStyle) -> Vec<u8> {
    let mut out = Vec::new();
    let formatter = StyledFormatter {
        style,
        pending_object: false,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .expect("serialising to memory cannot fail");
    out
}

/// A serde_json formatter for the styles above.
struct StyledFormatter {
    style: JsonStyle,
    /// An object was opened and nothing written into it yet: PHP writes an empty map as `[]`,
    /// so the opening bracket is held back until the first key arrives.
    pending_object: bool,
}

impl StyledFormatter {
    fn flush_pending<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.pending_object {
            self.pending_object = false;
            writer.write_all(b"{")?;
        }
        Ok(())
    }
}

impl Formatter for StyledFormatter {
    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.flush_pending(writer)?;
        if self.style == JsonStyle::Php {
            self.pending_object = true;
            Ok(())
        } else {
            writer.write_all(b"{")
        }
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.pending_object {
            self.pending_object = false;
            return writer.write_all(b"[]");
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.flush_pending(writer)?;
        if first {
            Ok(())
        } else {
            writer.write_all(b",")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        match self.style {
            JsonStyle::SpacedKeys => writer.write_all(b": "),
            _ => writer.write_all(b":"),
        }
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.flush_pending(writer)?;
        writer.write_all(b"[")
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.flush_pending(writer)?;
        writer.write_all(b"\"")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.style != JsonStyle::Php {
            return writer.write_all(fragment.as_bytes());
        }
        let mut units = [0u16; 2];
        for c in fragment.chars() {
            if c == '/' {
                writer.write_all(b"\\/")?;
            } else if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        let escaped: &[u8] = match char_escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"\\/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(writer, "\\u{byte:04x}"),
        };
        writer.write_all(escaped)
    }

    fn write_null<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.flush_pending(writer)?;
        writer.write_all(b"null")
    }

    fn write_bool<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: bool) -> io::Result<()> {
        self.flush_pending(writer)?;
        writer.write_all(if value { b"true" } else { b"false" })
    }

    fn write_i64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i64) -> io::Result<()> {
        self.flush_pending(writer)?;
        write!(writer, "{value}")
    }

    fn write_u64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u64) -> io::Result<()> {
        self.flush_pending(writer)?;
        write!(writer, "{value}")
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        self.flush_pending(writer)?;
        write!(writer, "{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spaced_keys_match_the_recorded_v1_bytes() {
        let body = json!({"name": ["US HPCS", "All Accounts"]});
        assert_eq!(
            to_styled_vec(&body, JsonStyle::SpacedKeys),
            br#"{"name": ["US HPCS","All Accounts"]}"#
        );
    }

    #[test]
    fn php_escapes_slash_and_non_ascii_and_empty_maps() {
        let body = json!({"error": "a/b Zürich 😀", "forms": {}, "list": []});
        assert_eq!(
            String::from_utf8(to_styled_vec(&body, JsonStyle::Php)).unwrap(),
            r#"{"error":"a\/b Z\u00fcrich \ud83d\ude00","forms":[],"list":[]}"#
        );
    }
}
