//! Figures inline in a Jupyter notebook run by the evcxr Rust kernel.
//!
//! evcxr shows as an image a block printed on stdout between a line
//! `EVCXR_BEGIN_CONTENT image/png` and a line `EVCXR_END_CONTENT`, binary content in base64
//! (RFC 4648, standard alphabet, padded). [`show_png`] prints a PNG file that way:
//!
//! ```no_run
//! # fn main() -> parsimony_core::Result<()> {
//! use parsimony_plot::{LinePlot, show_png};
//! let path = std::env::temp_dir().join("parabola.png");
//! LinePlot::new("y = x²").line("x²", &[0.0, 1.0, 2.0], &[0.0, 1.0, 4.0]).save(&path)?;
//! show_png(&path)?; // in a notebook cell: the figure appears below it
//! # Ok(())
//! # }
//! ```
//!
//! Outside a notebook the block is just text on stdout. evcxr keeps one image per cell (the
//! last one printed).

use parsimony_core::Result;
use std::io::Write;
use std::path::Path;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` in base64 (RFC 4648 §4: standard alphabet, `=` padding, no line breaks).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // k bytes give k + 1 symbols, then '=' up to four
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Prints the PNG file at `path` as evcxr's inline image block (see the module documentation).
pub fn show_png(path: impl AsRef<Path>) -> Result<()> {
    let bytes = std::fs::read(path.as_ref())?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
        base64(&bytes)
    )?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::base64;

    /// The test vectors of RFC 4648 §10.
    #[test]
    fn rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
        // every byte value, against a decoder written from the alphabet
        let all: Vec<u8> = (0..=255).collect();
        let text = base64(&all);
        let value = |c: u8| super::ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        let mut back = Vec::new();
        for quad in text.as_bytes().chunks(4) {
            let pad = quad.iter().filter(|&&c| c == b'=').count();
            let n = quad
                .iter()
                .map(|&c| if c == b'=' { 0 } else { value(c) })
                .fold(0, |acc, v| (acc << 6) | v);
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            back.extend_from_slice(&bytes[..3 - pad]);
        }
        assert_eq!(back, all);
    }
}
