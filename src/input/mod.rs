//! Reading input files — snapshots, configuration, baselines — into text a parser can point
//! into: bounded in size ([`MAX_INPUT_BYTES`]), and checked to be UTF-8, so that a Latin-1 or
//! UTF-16 file gets a located diagnostic instead of a bare I/O error. JSON inputs are then
//! parsed with [`strict_json`].

pub mod strict_json;

use crate::error::DrscanError;
use miette::{NamedSource, SourceSpan};
use std::io::Read;
use std::path::Path;

/// The largest input file drscan reads: 1 GiB. A snapshot of 200,000 resources is about a
/// tenth of that; a file beyond it is refused before it is read, rather than exhausting memory.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// Read the `kind` of input (`snapshot`, `baseline`…) at `path` as UTF-8 text.
pub fn read_text(kind: &'static str, path: &Path) -> Result<String, DrscanError> {
    read_text_bounded(kind, path, MAX_INPUT_BYTES)
}

fn read_text_bounded(kind: &'static str, path: &Path, limit: u64) -> Result<String, DrscanError> {
    let unreadable = |source| DrscanError::ReadInput { path: path.display().to_string(), source };
    let too_large = |size: Option<u64>| DrscanError::InputTooLarge {
        path: path.display().to_string(),
        size: size.map_or_else(|| format!("more than {limit} bytes"), |s| format!("{s} bytes")),
        limit,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_dir() {
        return Err(unreadable(std::io::Error::other("it is a directory")));
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(too_large(Some(metadata.len())));
    }
    // A pipe or device has no length up front: read one byte past the limit to tell.
    let capacity = if metadata.is_file() { usize::try_from(metadata.len()).unwrap_or(0) } else { 0 };
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(None));
    }
    decode(kind, &path.display().to_string(), bytes)
}

/// The bytes of an input as UTF-8 text: a UTF-8 byte-order mark is dropped (Windows editors
/// write one); UTF-16 and UTF-32, invalid UTF-8 and NUL bytes are located errors.
pub fn decode(kind: &'static str, name: &str, mut bytes: Vec<u8>) -> Result<String, DrscanError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(encoding_error(
            kind,
            name,
            String::from_utf8_lossy(&bytes).into_owned(),
            0,
            format!("the file is {encoding}, not UTF-8"),
            format!("drscan reads UTF-8; convert it, e.g. `iconv -f {encoding} -t UTF-8 FILE > FILE.utf8`"),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => match text.find('\0') {
            Some(offset) => Err(encoding_error(
                kind,
                name,
                text,
                offset,
                "the file contains a NUL byte, which no JSON or TOML text may hold".to_string(),
                "is it a binary file, or truncated while being written?".to_string(),
            )),
            None => Ok(text),
        },
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let byte = bytes[offset];
            Err(encoding_error(
                kind,
                name,
                String::from_utf8_lossy(&bytes).into_owned(),
                offset,
                format!("the file is not UTF-8: byte 0x{byte:02X} at offset {offset} starts no UTF-8 character"),
                "drscan reads UTF-8; a byte like this usually means Latin-1 or Windows-1252 — convert it, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8`".to_string(),
            ))
        }
    }
}

/// UTF-16 or UTF-32, by byte-order mark, or by the zero bytes that ASCII text has in them.
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32LE"),
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32BE"),
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some("UTF-16LE"),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some("UTF-16BE"),
        _ => None,
    }
}

fn encoding_error(
    kind: &'static str,
    name: &str,
    text: String,
    offset: usize,
    message: String,
    help: String,
) -> DrscanError {
    let len = usize::from(offset < text.len());
    DrscanError::malformed(
        kind,
        message,
        "here",
        NamedSource::new(name, text),
        SourceSpan::from((offset, len)),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<String, String> {
        decode("snapshot", "s.json", bytes.to_vec()).map_err(|e| e.to_string())
    }

    #[test]
    fn utf8_with_or_without_a_byte_order_mark_reads() {
        assert_eq!(decoded(b"{\"a\": \"\xC3\xA9\"}").as_deref(), Ok("{\"a\": \"é\"}"));
        assert_eq!(decoded(b"\xEF\xBB\xBF{}").as_deref(), Ok("{}"));
    }

    #[test]
    fn other_encodings_are_named() {
        let latin1 = decoded(b"{\n\"a\": \"caf\xE9\"}").unwrap_err();
        assert!(latin1.contains("not UTF-8: byte 0xE9 at offset 11"), "{latin1}");
        assert!(decoded(b"\xFF\xFE{\0}\0").unwrap_err().contains("UTF-16LE"));
        assert!(decoded(b"{\0\"\0a\0").unwrap_err().contains("UTF-16LE"));
        assert!(decoded(b"\0{\0\"").unwrap_err().contains("UTF-16BE"));
        assert!(decoded(b"\xFF\xFE\0\0{\0\0\0").unwrap_err().contains("UTF-32LE"));
        assert!(decoded(b"{\"a\": 1}\0").unwrap_err().contains("NUL byte"));
    }

    #[test]
    fn files_beyond_the_bound_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big.json");
        std::fs::write(&path, "{}      ").expect("write");
        assert!(read_text_bounded("snapshot", &path, 8).is_ok());
        let error = read_text_bounded("snapshot", &path, 4).unwrap_err().to_string();
        assert!(error.contains("8 bytes") && error.contains("4 bytes"), "{error}");
    }
}
