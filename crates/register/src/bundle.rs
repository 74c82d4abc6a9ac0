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
