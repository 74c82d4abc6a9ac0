//! Entry bundles (`tile/entries/<N>[.p/<W>]`) per C2SP tlog-tiles: a
//! sequence of entries, each a big-endian uint16 length followed by that many
//! bytes. Entry `i` of bundle `N` is log entry `N·256 + i`.

use thiserror::Error;

use crate::merkle::leaf_hash;
use crate::tile::{tile_hashes, Tile, TILE_WIDTH};

/// Largest entry a bundle can carry.
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BundleError {
    #[error("entry {index} has {len} bytes, more than {MAX_ENTRY_SIZE}")]
    EntryTooLarge { index: usize, len: usize },
    #[error("a bundle holds 1 to 256 entries, got {0}")]
    WrongEntryCount(usize),
    #[error("bundle is truncated inside entry {index}")]
    Truncated { index: usize },
    #[error("bundle has {got} entries, its tile has width {want}")]
    WidthMismatch { got: usize, want: u16 },
    #[error("entry {index} does not hash to the level-0 tile")]
    HashMismatch { index: usize },
    #[error("tile data is malformed: {0}")]
    BadTile(String),
}

/// Encodes entries as a bundle. Empty bundles must not be served, so zero
/// entries is an error, as are more than 256.
pub fn encode_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, BundleError> {
    if entries.is_empty() || entries.len() > usize::from(TILE_WIDTH) {
        return Err(BundleError::WrongEntryCount(entries.len()));
    }
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.as_ref().len() + 2).sum());
    for (index, e) in entries.iter().enumerate() {
        let e = e.as_ref();
        let len = u16::try_from(e.len()).map_err(|_| BundleError::EntryTooLarge {
            index,
            len: e.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Parses a bundle into its entries, rejecting truncation, trailing bytes and
/// more than 256 entries.
pub fn parse_bundle(data: &[u8]) -> Result<Vec<Vec<u8>>, BundleError> {
    let mut entries = Vec::new();
    parse_bundle_into(data, &mut entries)?;
    Ok(entries.into_iter().map(<[u8]>::to_vec).collect())
}

/// Like [`parse_bundle`], but borrows each entry from `data` instead of
/// copying it: `out` is cleared, then receives the entries in order. On error
/// `out` holds the entries parsed before the fault. Passing the same `out`
/// for every bundle parses a whole log without one allocation per entry.
pub fn parse_bundle_into<'d>(data: &'d [u8], out: &mut Vec<&'d [u8]>) -> Result<(), BundleError> {
    out.clear();
    for_each_bundle_entry(data, |e| out.push(e)).map(|_| ())
}

/// The parser behind [`parse_bundle`]: calls `each` with every entry, in
/// order, as it is read (so a caller can hash an entry while it is still in
/// cache), and returns the number of entries. It accepts and rejects exactly
/// what [`parse_bundle`] does; on error `each` has seen the entries before the
/// fault.
pub fn for_each_bundle_entry<'d>(
    data: &'d [u8],
    mut each: impl FnMut(&'d [u8]),
) -> Result<usize, BundleError> {
    let mut count = 0;
    let mut rest = data;
    while !rest.is_empty() {
        let index = count;
        if index == usize::from(TILE_WIDTH) {
            return Err(BundleError::WrongEntryCount(index + 1));
        }
        let (len, body) = match rest {
            [a, b, body @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), body),
            _ => return Err(BundleError::Truncated { index }),
        };
        let Some((entry, tail)) = body.split_at_checked(len) else {
            return Err(BundleError::Truncated { index });
        };
        each(entry);
        count += 1;
        rest = tail;
    }
    if count == 0 {
        return Err(BundleError::WrongEntryCount(0));
    }
    Ok(count)
}

/// Parses the bundle for level-0 tile `tile` and checks every entry against
/// the tile's (already verified) leaf hashes.
pub fn verify_bundle(
    tile: &Tile,
    tile_data: &[u8],
    bundle: &[u8],
) -> Result<Vec<Vec<u8>>, BundleError> {
    if tile.level() != 0 {
        return Err(BundleError::BadTile(
            "entry bundles pair with level-0 tiles".into(),
        ));
    }
    let hashes = tile_hashes(tile, tile_data).map_err(|e| BundleError::BadTile(e.to_string()))?;
    let entries = parse_bundle(bundle)?;
    if entries.len() != hashes.len() {
        return Err(BundleError::WidthMismatch {
            got: entries.len(),
            want: tile.width(),
        });
    }
    for (index, (e, h)) in entries.iter().zip(&hashes).enumerate() {
        if leaf_hash(e) != *h {
            return Err(BundleError::HashMismatch { index });
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_layout() {
        let data = encode_bundle(&[&b"ab"[..], b"", b"xyz"]).unwrap();
        assert_eq!(data, b"\x00\x02ab\x00\x00\x00\x03xyz");
        assert_eq!(
            parse_bundle(&data).unwrap(),
            vec![b"ab".to_vec(), vec![], b"xyz".to_vec()]
        );
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse_bundle(b"").is_err());
        assert!(parse_bundle(b"\x00").is_err());
        assert!(parse_bundle(b"\x00\x03ab").is_err());
        assert!(parse_bundle(b"\x00\x01ab").is_err()); // trailing byte is a truncated entry
        let many = vec![0u8; 2 * 257];
        assert_eq!(parse_bundle(&many), Err(BundleError::WrongEntryCount(257)));
        assert_eq!(parse_bundle(&many[..512]).unwrap().len(), 256);
        assert!(encode_bundle::<&[u8]>(&[]).is_err());
        assert!(encode_bundle(&[vec![0u8; 65_536]]).is_err());
        assert!(encode_bundle(&vec![b"a"; 257]).is_err());
    }

    /// The parser as it was before the borrowing one: the reference every
    /// public parser must agree with.
    fn reference_parse(data: &[u8]) -> Result<Vec<Vec<u8>>, BundleError> {
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let index = entries.len();
            if index == usize::from(TILE_WIDTH) {
                return Err(BundleError::WrongEntryCount(index + 1));
            }
            let (len, body) = match rest {
                [a, b, body @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), body),
                _ => return Err(BundleError::Truncated { index }),
            };
            if body.len() < len {
                return Err(BundleError::Truncated { index });
            }
            entries.push(body[..len].to_vec());
            rest = &body[len..];
        }
        if entries.is_empty() {
            return Err(BundleError::WrongEntryCount(0));
        }
        Ok(entries)
    }

    fn check_parsers_agree(data: &[u8]) {
        let want = reference_parse(data);
        assert_eq!(parse_bundle(data), want);
        let mut out = vec![&b"stale"[..]];
        let got =
            parse_bundle_into(data, &mut out).map(|()| out.iter().map(|e| e.to_vec()).collect());
        assert_eq!(got, want);
        let mut seen = Vec::new();
        let got = for_each_bundle_entry(data, |e| seen.push(e.to_vec()));
        match &want {
            Ok(entries) => {
                assert_eq!(got, Ok(entries.len()));
                assert_eq!(&seen, entries);
            }
            Err(e) => assert_eq!(got.as_ref(), Err(e)),
        }
    }

    /// A valid bundle, then one of: a byte flipped, a length byte
    /// rewritten, truncated, extended, or spliced with another bundle.
    fn mutated_bundle() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let entries = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..=257);
        (
            entries,
            0u8..6,
            any::<usize>(),
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..8),
        )
            .prop_map(|(entries, how, at, byte, tail)| {
                let mut data = Vec::new();
                for e in &entries {
                    data.extend_from_slice(&(e.len() as u16).to_be_bytes());
                    data.extend_from_slice(e);
                }
                let at = at % data.len().max(1);
                match how {
                    0 => {}
                    1 => data[at] ^= byte | 1,
                    2 => data[at] = byte,
                    3 => data.truncate(at),
                    4 => data.extend_from_slice(&tail),
                    _ => {
                        let head = data[..at].to_vec();
                        data = [head, tail, data[at..].to_vec()].concat();
                    }
                }
                data
            })
    }

    proptest::proptest! {
        #[test]
        fn borrowing_parser_agrees_with_the_reference_on_random_bytes(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700)
        ) {
            check_parsers_agree(&data);
        }

        #[test]
        fn borrowing_parser_agrees_with_the_reference_on_mutated_bundles(data in mutated_bundle()) {
            check_parsers_agree(&data);
        }
    }

    #[test]
    fn borrowing_parser_agrees_on_edge_cases() {
        let full: Vec<u8> = (0..256u16).flat_map(|_| [0, 1, 7]).collect();
        for data in [
            &b""[..],
            b"\x00",
            b"\x00\x00",
            b"\x00\x00\x00",
            b"\x00\x03ab",
            b"\x00\x01ab",
            b"\xff\xff",
            &full,
            &full[..full.len() - 1],
            &[full.clone(), vec![0, 0]].concat(),
            &[full.clone(), vec![0]].concat(),
        ] {
            check_parsers_agree(data);
        }
        let mut big = vec![0xff, 0xff];
        big.extend(vec![9u8; 65_535]);
        check_parsers_agree(&big);
        check_parsers_agree(&big[..big.len() - 1]);
    }

    #[test]
    fn verify_against_tile() {
        let entries = [b"one".to_vec(), b"two".to_vec()];
        let tile = Tile::new(0, 0, 2).unwrap();
        let tile_data: Vec<u8> = entries.iter().flat_map(|e| leaf_hash(e)).collect();
        let bundle = encode_bundle(&entries).unwrap();
        assert_eq!(verify_bundle(&tile, &tile_data, &bundle).unwrap(), entries);
        let other = encode_bundle(&[b"one".to_vec(), b"tw0".to_vec()]).unwrap();
        assert_eq!(
            verify_bundle(&tile, &tile_data, &other),
            Err(BundleError::HashMismatch { index: 1 })
        );
        let short = encode_bundle(&[b"one".to_vec()]).unwrap();
        assert!(verify_bundle(&tile, &tile_data, &short).is_err());
    }
}
