//! Reading NumPy `.npy` files (format versions 1–3) of little-endian floats.
//!
//! The file is the magic `\x93NUMPY`, a version, a header length, a Python-literal header
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (1024, 251), }` and the raw data. Arrays of
//! `<f8` and `<f4` in C or Fortran order are read into f64 values in C (row-major) order.

use crate::{Error, Result};
use std::path::Path;

/// An n-dimensional array of f64 in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// The shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// The values, last index fastest.
    pub data: Vec<f64>,
}

impl NpyArray {
    /// A 2-D array as an nalgebra matrix (rows × columns). The fields are public, so the
    /// shape and the data are checked against each other here.
    pub fn to_matrix(&self) -> Result<nalgebra::DMatrix<f64>> {
        if self.shape.len() != 2 {
            return Err(Error::invalid(
                "npy array",
                format!("expected 2 dimensions, got shape {:?}", self.shape),
            ));
        }
        let count = element_count(&self.shape)?;
        crate::error::check_len("length of data (product of shape)", count, self.data.len())?;
        Ok(nalgebra::DMatrix::from_row_slice(
            self.shape[0],
            self.shape[1],
            &self.data,
        ))
    }
}

fn bad(reason: impl std::fmt::Display) -> Error {
    Error::invalid("npy file", reason)
}

/// Reads an `.npy` file.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))
    })?;
    parse_npy(&bytes)
}

/// Parses the bytes of an `.npy` file.
pub fn parse_npy(bytes: &[u8]) -> Result<NpyArray> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("missing the \\x93NUMPY magic"));
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(bad("truncated header"));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(bad(format!("unsupported format version {v}"))),
    };
    let end = start + header_len;
    if bytes.len() < end {
        return Err(bad("truncated header"));
    }
    let header = std::str::from_utf8(&bytes[start..end]).map_err(|_| bad("header not UTF-8"))?;
    let descr = dict_value(header, "descr")?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let width = match descr {
        "<f8" | "=f8" => 8,
        "<f4" | "=f4" => 4,
        d => return Err(bad(format!("unsupported dtype {d} (need <f8 or <f4)"))),
    };
    let fortran = match dict_value(header, "fortran_order")?.as_str() {
        "True" => true,
        "False" => false,
        v => return Err(bad(format!("fortran_order = {v}"))),
    };
    let shape_text = dict_value(header, "shape")?;
    let shape: Vec<usize> = shape_text
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| bad(format!("shape {shape_text}")))
        })
        .collect::<Result<_>>()?;
    let count = element_count(&shape)?;
    let raw = &bytes[end..];
    if Some(raw.len()) != count.checked_mul(width) {
        return Err(bad(format!(
            "{} data bytes for shape {shape:?} of {width}-byte values",
            raw.len()
        )));
    }
    let values: Vec<f64> = if width == 8 {
        raw.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()
    } else {
        raw.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64)
            .collect()
    };
    let data = if fortran && shape.len() > 1 {
        // Fortran order: first index fastest; transpose to C order
        let mut out = vec![0.0; count];
        let nd = shape.len();
        let mut idx = vec![0usize; nd];
        for v in values {
            let mut c = 0;
            for d in 0..nd {
                c = c * shape[d] + idx[d];
            }
            out[c] = v;
            for d in 0..nd {
                idx[d] += 1;
                if idx[d] < shape[d] {
                    break;
                }
                idx[d] = 0;
            }
        }
        out
    } else {
        values
    };
    Ok(NpyArray { shape, data })
}

/// Writes `data` (C order, shape `shape`) as a version-1 `.npy` file of `<f8`.
pub fn write_npy(path: impl AsRef<Path>, shape: &[usize], data: &[f64]) -> Result<()> {
    let count = element_count(shape)?;
    crate::error::check_len("length of data (product of shape)", count, data.len())?;
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}");
    // pad with spaces so that magic + version + length + header is a multiple of 64, end with \n
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let len = u16::try_from(header.len()).map_err(|_| bad("header too long"))?;
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in data {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// The number of elements of an array of shape `shape`, or an error when the product of the
/// dimensions overflows `usize` (a corrupt or hostile header).
fn element_count(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| bad(format!("shape {shape:?}: the number of elements overflows")))
}

/// The text of `key`'s value in a Python dict literal (up to the next top-level comma).
fn dict_value(header: &str, key: &str) -> Result<String> {
    let pat = format!("'{key}'");
    let at = header
        .find(&pat)
        .ok_or_else(|| bad(format!("header has no '{key}'")))?;
    let rest = header[at + pat.len()..].trim_start();
    let rest = rest
        .strip_prefix(':')
        .ok_or_else(|| bad(format!("malformed '{key}'")))?
        .trim_start();
    let mut depth = 0i64;
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(rest[..=i].to_string());
                }
            }
            ',' | '}' if depth == 0 => return Ok(rest[..i].trim().to_string()),
            _ => {}
        }
    }
    Err(bad(format!("unterminated '{key}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(header.len() as u16).to_le_bytes());
        b.extend_from_slice(header.as_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn c_and_fortran_order_and_f4() {
        let vals: Vec<u8> = (0..6).flat_map(|i| (i as f64).to_le_bytes()).collect();
        let c = parse_npy(&file(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n",
            &vals,
        ))
        .unwrap();
        assert_eq!(c.shape, vec![2, 3]);
        assert_eq!(c.data, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let f = parse_npy(&file(
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n",
            &vals,
        ))
        .unwrap();
        // column-major 0..6 of a 2 × 3 array is [[0, 2, 4], [1, 3, 5]]
        assert_eq!(f.data, vec![0.0, 2.0, 4.0, 1.0, 3.0, 5.0]);
        let v4: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let s = parse_npy(&file(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n",
            &v4,
        ))
        .unwrap();
        assert_eq!(s.data, vec![1.5, -2.0]);
        assert!(parse_npy(b"not npy").is_err());
        // round trip through the writer
        let path = std::env::temp_dir().join(format!("parsimony_npy_{}.npy", std::process::id()));
        write_npy(&path, &[2, 3], &c.data).unwrap();
        let back = read_npy(&path).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(back, c);
        assert!(write_npy(&path, &[2, 2], &c.data).is_err());
        assert!(
            parse_npy(&file(
                "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
                &[0; 8]
            ))
            .is_err()
        );
        assert!(
            parse_npy(&file(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                &[0; 8]
            ))
            .is_err()
        );
    }
}
