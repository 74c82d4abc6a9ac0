//! Tile coordinates and paths per C2SP tlog-tiles.
//!
//! A tile at level `L`, index `N` holds up to 256 consecutive hashes of tree
//! level `8·L`: the roots of the subtrees covering
//! `D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L]`. Partial tiles (width
//! 1..=255) exist only at the right edge of a tree.

use std::fmt::Write as _;

use thiserror::Error;

use crate::merkle::{Hash, HASH_SIZE};
use crate::tlog::{stored_hash_index, HashReader, TreeError, MAX_TREE_SIZE};

/// Tree levels spanned by one tile.
pub const TILE_HEIGHT: u32 = 8;
/// Hashes in a full tile.
pub const TILE_WIDTH: u16 = 256;
/// Highest tile level the path grammar allows.
pub const MAX_TILE_LEVEL: u8 = 63;

/// A tile path or coordinate the spec rules out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TileError {
    #[error("tile level {0} is above {MAX_TILE_LEVEL}")]
    LevelOutOfRange(u64),
    #[error("tile width {0} is outside 1..=256")]
    WidthOutOfRange(u64),
    #[error("malformed tile path {path:?}: {reason}")]
    MalformedPath { path: String, reason: &'static str },
    #[error("entry bundles exist only for level 0 tiles")]
    EntriesNotLevelZero,
    #[error("tile data has {got} bytes, want {want}")]
    WrongDataLength { got: usize, want: usize },
}

/// Coordinates of one tile: level, index within the level, and width
/// (256 for a full tile, 1..=255 for a partial one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    level: u8,
    index: u64,
    width: u16,
}

impl Tile {
    /// Checks level `0..=63` and width `1..=256`.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_TILE_LEVEL {
            return Err(TileError::LevelOutOfRange(level.into()));
        }
        if width == 0 || width > TILE_WIDTH {
            return Err(TileError::WidthOutOfRange(width.into()));
        }
        Ok(Tile {
            level,
            index,
            width,
        })
    }

    pub fn level(&self) -> u8 {
        self.level
    }

    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn width(&self) -> u16 {
        self.width
    }

    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Expected size of the tile's data: `width · 32` bytes.
    pub fn data_len(&self) -> usize {
        usize::from(self.width) * HASH_SIZE
    }

    /// `tile/<L>/<N>[.p/<W>]`, relative to the log prefix.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, self.suffix())
    }

    /// `tile/entries/<N>[.p/<W>]` for the entry bundle matching this level-0
    /// tile.
    pub fn entries_path(&self) -> Result<String, TileError> {
        if self.level != 0 {
            return Err(TileError::EntriesNotLevelZero);
        }
        Ok(format!("tile/entries/{}", self.suffix()))
    }

    fn suffix(&self) -> String {
        let mut s = encode_index(self.index);
        if !self.is_full() {
            let _ = write!(s, ".p/{}", self.width);
        }
        s
    }

    /// Tree level of the hashes this tile holds.
    pub fn tree_level(&self) -> u32 {
        u32::from(self.level) * TILE_HEIGHT
    }

    /// Stored indexes of the tile's hashes, or `None` beyond [`MAX_TREE_SIZE`].
    pub fn stored_indexes(&self) -> Option<Vec<u64>> {
        let level = u8::try_from(self.tree_level()).ok()?;
        let first = self.index.checked_mul(u64::from(TILE_WIDTH))?;
        (0..u64::from(self.width))
            .map(|i| stored_hash_index(level, first.checked_add(i)?))
            .collect()
    }
}

/// Encodes a tile index as zero-padded 3-digit path elements, all but the
/// last prefixed with `x`: 1234067 → `x001/x234/067`.
pub fn encode_index(n: u64) -> String {
    let digits = n.to_string();
    let padded = format!("{}{digits}", "0".repeat((3 - digits.len() % 3) % 3));
    let groups: Vec<&str> = padded
        .as_bytes()
        .chunks(3)
        .map(|c| std::str::from_utf8(c).unwrap_or("000"))
        .collect();
    let mut out = String::new();
    for (i, g) in groups.iter().enumerate() {
        if i + 1 < groups.len() {
            out.push('x');
            out.push_str(g);
            out.push('/');
        } else {
            out.push_str(g);
        }
    }
    out
}

/// What a parsed tile path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileResource {
    /// `tile/<L>/<N>[.p/<W>]`
    Hashes(Tile),
    /// `tile/entries/<N>[.p/<W>]`; the tile is the matching level-0 tile.
    Entries(Tile),
}

/// Strictly parses a path relative to the log prefix (no leading slash).
/// Rejects every non-canonical form: leading zeros in `L` or `W`, `L > 63`,
/// `W` outside 1..=255, index elements that are not exactly three digits,
/// missing or extra `x` prefixes, a leading `x000` element, empty or extra
/// segments.
pub fn parse_tile_path(path: &str) -> Result<TileResource, TileError> {
    let bad = |reason| TileError::MalformedPath {
        path: path.chars().take(200).collect(),
        reason,
    };
    let mut segs: Vec<&str> = path.split('/').collect();
    if segs.len() < 3 || segs[0] != "tile" {
        return Err(bad("must start with tile/ and have a level and index"));
    }
    let entries = segs[1] == "entries";
    let level = if entries {
        0
    } else {
        let l = parse_decimal(segs[1]).ok_or_else(|| bad("level is not canonical decimal"))?;
        u8::try_from(l)
            .ok()
            .filter(|l| *l <= MAX_TILE_LEVEL)
            .ok_or(TileError::LevelOutOfRange(l))?
    };
    // A partial tile ends in "<ddd>.p/<W>".
    let mut width = TILE_WIDTH;
    if segs.len() >= 4 && segs[segs.len() - 2].ends_with(".p") {
        let w_seg = segs.pop().unwrap_or_default();
        let w = parse_decimal(w_seg).ok_or_else(|| bad("width is not canonical decimal"))?;
        if w == 0 || w >= u64::from(TILE_WIDTH) {
            return Err(TileError::WidthOutOfRange(w));
        }
        width = w as u16; // < 256, checked above
        if let Some(last) = segs.last_mut() {
            *last = &last[..last.len() - 2];
        }
    }
    let elems = &segs[2..];
    // u64::MAX has 20 digits: seven 3-digit elements at most.
    if elems.len() > 7 {
        return Err(bad("index has too many elements"));
    }
    let mut index: u64 = 0;
    for (i, e) in elems.iter().enumerate() {
        let last = i + 1 == elems.len();
        let digits = if last {
            *e
        } else {
            e.strip_prefix('x')
                .ok_or_else(|| bad("non-final index element lacks x"))?
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("index element is not three digits"));
        }
        if i == 0 && !last && digits == "000" {
            return Err(bad("index has a leading zero element"));
        }
        let group: u64 = digits.parse().map_err(|_| bad("index element"))?;
        index = index
            .checked_mul(1000)
            .and_then(|v| v.checked_add(group))
            .ok_or_else(|| bad("index overflows"))?;
    }
    let tile = Tile::new(level, index, width)?;
    Ok(if entries {
        TileResource::Entries(tile)
    } else {
        TileResource::Hashes(tile)
    })
}

/// Canonical ASCII decimal: digits only, no leading zeros except "0" itself.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Number of hashes at tile level `level` in a tree of `size` leaves, i.e.
/// `⌊size / 256^level⌋`.
fn hashes_at_level(size: u64, level: u8) -> u64 {
    let shift = u32::from(level) * TILE_HEIGHT;
    size.checked_shr(shift).unwrap_or(0)
}

/// The tile `(level, index)` as it exists in a tree of `size` leaves, or
/// `None` if the tree has no hashes in it.
pub fn tile_at(size: u64, level: u8, index: u64) -> Option<Tile> {
    let start = index.checked_mul(u64::from(TILE_WIDTH))?;
    let avail = hashes_at_level(size, level).checked_sub(start)?;
    let width = avail.min(u64::from(TILE_WIDTH));
    Tile::new(level, index, u16::try_from(width).ok()?).ok()
}

/// Tiles whose content differs between trees of `old` and `new` leaves
/// (each at its width for `new`), lowest level first. With `old = 0` this is
/// every tile a tree of `new` leaves is made of.
pub fn new_tiles(old: u64, new: u64) -> Result<Vec<Tile>, TreeError> {
    if new > MAX_TREE_SIZE {
        return Err(TreeError::TooLarge(new));
    }
    if old > new {
        return Err(TreeError::SizeDecrease { old, new });
    }
    let mut out = Vec::new();
    for level in 0..=MAX_TILE_LEVEL {
        let (o, n) = (hashes_at_level(old, level), hashes_at_level(new, level));
        if n == 0 {
            break;
        }
        if o == n {
            continue;
        }
        let w = u64::from(TILE_WIDTH);
        for index in o / w..=(n - 1) / w {
            if let Some(t) = tile_at(new, level, index) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// Every tile (full and partial) that a tree of `size` leaves is made of.
pub fn tiles_for_size(size: u64) -> Result<Vec<Tile>, TreeError> {
    new_tiles(0, size)
}

/// Which tile a stored node lives in, for a tree of `size` leaves, and the
/// range of positions in that tile its subtree covers.
pub(crate) struct NodeInTile {
    pub tile: Tile,
    pub start: usize,
    pub end: usize,
}

/// Locates node `(level, n)` in the tiles of a tree of `size` leaves, or
/// `None` if the node is not complete in that tree.
pub(crate) fn locate(size: u64, level: u8, n: u64) -> Option<NodeInTile> {
    let r = u32::from(level) % TILE_HEIGHT;
    let tile_level = u8::try_from(u32::from(level) / TILE_HEIGHT).ok()?;
    // The node spans positions [n·2^r, (n+1)·2^r) of its tile level; u128
    // so that no shift can wrap.
    let last = (u128::from(n) + 1) << r;
    if last > u128::from(hashes_at_level(size, tile_level)) {
        return None;
    }
    // Lossless: last <= size.
    let (first, last) = ((u128::from(n) << r) as u64, last as u64);
    let w = u64::from(TILE_WIDTH);
    let tile = tile_at(size, tile_level, first / w)?;
    let base = (first / w) * w;
    let start = usize::try_from(first - base).ok()?;
    let end = usize::try_from(last - base).ok()?;
    (end <= usize::from(tile.width)).then_some(NodeInTile { tile, start, end })
}

/// Splits tile data into hashes, checking it is exactly `width · 32` bytes.
pub fn tile_hashes(tile: &Tile, data: &[u8]) -> Result<Vec<Hash>, TileError> {
    if data.len() != tile.data_len() {
        return Err(TileError::WrongDataLength {
            got: data.len(),
            want: tile.data_len(),
        });
    }
    Ok(data
        .chunks_exact(HASH_SIZE)
        .map(|c| {
            let mut h = [0u8; HASH_SIZE];
            h.copy_from_slice(c);
            h
        })
        .collect())
}

/// Builds the data of each tile from stored hashes, with one batched read.
pub fn read_tile_data<R: HashReader + ?Sized>(
    tiles: &[Tile],
    reader: &R,
) -> Result<Vec<Vec<u8>>, TreeError> {
    let mut indexes = Vec::new();
    for t in tiles {
        let idx = t.stored_indexes().ok_or(TreeError::TooLarge(t.index()))?;
        indexes.extend(idx);
    }
    let hashes = reader.read_hashes(&indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::ShortRead {
            got: hashes.len(),
            want: indexes.len(),
        });
    }
    let mut out = Vec::with_capacity(tiles.len());
    let mut offset = 0;
    for t in tiles {
        let w = usize::from(t.width());
        out.push(hashes[offset..offset + w].concat());
        offset += w;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_encoding_matches_spec_example() {
        assert_eq!(encode_index(1234067), "x001/x234/067");
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(999), "999");
        assert_eq!(encode_index(1000), "x001/000");
        assert_eq!(encode_index(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    }

    #[test]
    fn paths_round_trip() {
        let t = Tile::new(0, 1234067, 256).unwrap();
        assert_eq!(t.path(), "tile/0/x001/x234/067");
        let p = Tile::new(2, 5, 17).unwrap();
        assert_eq!(p.path(), "tile/2/005.p/17");
        let e = Tile::new(0, 1000, 8).unwrap();
        assert_eq!(e.entries_path().unwrap(), "tile/entries/x001/000.p/8");
        assert!(p.entries_path().is_err());
        for t in [t, p, Tile::new(63, u64::MAX, 255).unwrap()] {
            assert_eq!(parse_tile_path(&t.path()), Ok(TileResource::Hashes(t)));
        }
        assert_eq!(
            parse_tile_path(&e.entries_path().unwrap()),
            Ok(TileResource::Entries(e))
        );
    }

    #[test]
    fn parser_rejects_malformed_paths() {
        for bad in [
            "",
            "tile",
            "tile/0",
            "tile/0/",
            "/tile/0/000",
            "tile/0/000/",
            "tiles/0/000",
            "tile/00/000",
            "tile/01/000",
            "tile/64/000",
            "tile/-1/000",
            "tile/+1/000",
            "tile/0/00",
            "tile/0/0000",
            "tile/0/1",
            "tile/0/x001",
            "tile/0/001/002",
            "tile/0/x001/x002",
            "tile/0/y001/002",
            "tile/0/x000/001",
            "tile/0/x001//002",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/300",
            "tile/0/000.p/08",
            "tile/0/000.p/",
            "tile/0/000.p",
            "tile/0/000.p/8/9",
            "tile/0/000.q/8",
            "tile/0/000/.p/8",
            "tile/0/x001.p/000",
            "tile/entries/0/000",
            "tile/entries/",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x001/x000/x000/x000/x000/x000/x000/000",
            "tile/0/0a1",
            "tile/0/٠٠١",
        ] {
            assert!(parse_tile_path(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn spec_example_tree_of_70000() {
        // tlog-tiles: 273 full level-0 tiles, one partial of width 112, one
        // full level-1 tile, one partial level-1 tile of width 17, and one
        // partial level-2 tile of width 1.
        let tiles = tiles_for_size(70_000).unwrap();
        let full0 = tiles
            .iter()
            .filter(|t| t.level() == 0 && t.is_full())
            .count();
        assert_eq!(full0, 273);
        let rest: Vec<_> = tiles
            .iter()
            .filter(|t| !(t.level() == 0 && t.is_full()))
            .collect();
        assert_eq!(
            rest.iter()
                .map(|t| (t.level(), t.index(), t.width()))
                .collect::<Vec<_>>(),
            vec![(0, 273, 112), (1, 0, 256), (1, 1, 17), (2, 0, 1)]
        );
        // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
        let t256: Vec<_> = new_tiles(0, 256)
            .unwrap()
            .iter()
            .map(|t| (t.level(), t.index(), t.width()))
            .collect();
        assert_eq!(t256, vec![(0, 0, 256), (1, 0, 1)]);
    }

    #[test]
    fn new_tiles_between_sizes() {
        let got: Vec<_> = new_tiles(300, 600)
            .unwrap()
            .iter()
            .map(|t| (t.level(), t.index(), t.width()))
            .collect();
        assert_eq!(got, vec![(0, 1, 256), (0, 2, 88), (1, 0, 2)]);
        assert!(new_tiles(5, 5).unwrap().is_empty());
        assert!(new_tiles(6, 5).is_err());
    }
}
