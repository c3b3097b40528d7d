//! The `.npy` reader never panics: arbitrary bytes, arbitrary headers behind a valid preamble,
//! shapes whose element count overflows, and `NpyArray`s whose public fields disagree all give
//! `Ok` or a typed error.

use parsimony_core::Error;
use parsimony_core::io::{NpyArray, parse_npy, write_npy};
use proptest::prelude::*;

/// A version-1 file: magic, version, header length, header, data.
fn file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    b
}

/// Pieces a header is made of, valid and not, for the header fuzzer to assemble.
fn header_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("'descr': '<f8', ".to_string()),
        Just("'descr': '<f4', ".to_string()),
        Just("'descr': ".to_string()),
        Just("'fortran_order': False, ".to_string()),
        Just("'fortran_order': True, ".to_string()),
        Just("'shape': (".to_string()),
        Just(")".to_string()),
        Just(", ".to_string()),
        Just("(".to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        (0u64..5).prop_map(|v| v.to_string()),
        "[ -~]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_npy(&bytes);
        let mut with_magic = b"\x93NUMPY".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = parse_npy(&with_magic);
    }

    #[test]
    fn arbitrary_headers_never_panic(
        pieces in proptest::collection::vec(header_piece(), 0..12),
        data in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let header: String = pieces.concat();
        if let Ok(a) = parse_npy(&file(&header, &data)) {
            // whatever is accepted is consistent
            let count = a.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
            prop_assert_eq!(count, Some(a.data.len()));
            let _ = a.to_matrix();
        }
    }

    #[test]
    fn disagreeing_fields_are_refused(
        shape in proptest::collection::vec(0usize..usize::MAX, 0..4),
        len in 0usize..16,
    ) {
        let a = NpyArray { shape, data: vec![1.0; len] };
        match a.to_matrix() {
            Ok(m) => prop_assert_eq!(m.len(), len),
            Err(e) => {
                let typed = matches!(
                    e,
                    Error::InvalidParameter { .. } | Error::DimensionMismatch { .. }
                );
                prop_assert!(typed, "{}", e);
            }
        }
    }
}

#[test]
fn overflowing_shapes_are_typed_errors() {
    // 2^63 × 2 wraps to 0 elements in unchecked arithmetic: with no data it used to be accepted
    let big = 1usize << 63;
    let header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({big}, 2), }}\n");
    assert!(matches!(
        parse_npy(&file(&header, &[])),
        Err(Error::InvalidParameter { .. })
    ));
    // 2^61 elements of 8 bytes overflow the byte count
    let header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, ), }}\n",
        1usize << 61
    );
    assert!(matches!(
        parse_npy(&file(&header, &[])),
        Err(Error::InvalidParameter { .. })
    ));
    let a = NpyArray {
        shape: vec![2, 3],
        data: vec![1.0],
    };
    assert!(matches!(
        a.to_matrix(),
        Err(Error::DimensionMismatch {
            expected: 6,
            got: 1,
            ..
        })
    ));
    let path = std::env::temp_dir().join(format!("parsimony_npy_big_{}.npy", std::process::id()));
    assert!(write_npy(&path, &[big, 4], &[]).is_err());
    assert!(!path.exists());
}
