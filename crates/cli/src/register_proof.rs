//! Inclusion proofs computed from tiles that are verified against the signed checkpoint, and
//! their offline check.

use std::cell::RefCell;
use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use probity_domain::LogEntry;
use probity_service::register::log::checkpoint::Checkpoint;
use probity_service::register::log::merkle::{leaf_hash, verify_inclusion};
use probity_service::register::log::note::Ed25519Verifier;
use probity_service::register::log::tile::Tile;
use probity_service::register::log::tilereader::{TileHashReader, TileReader};
use probity_service::register::log::verify::open_checkpoint;
use probity_service::register::log::{prove_inclusion, StorageError};
use probity_service::register::public::InclusionProof;

use crate::register_fetch::Source;

/// Serves tiles from memory, recording the ones asked for that are missing.
struct MapTiles {
    data: BTreeMap<Tile, Vec<u8>>,
    missing: RefCell<Vec<Tile>>,
}

impl TileReader for MapTiles {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        let missing: Vec<Tile> = tiles
            .iter()
            .filter(|t| !self.data.contains_key(t))
            .copied()
            .collect();
        if !missing.is_empty() {
            self.missing.borrow_mut().extend(missing);
            return Err(StorageError::NotFound { index: 0 });
        }
        Ok(tiles.iter().map(|t| self.data[t].clone()).collect())
    }
}

/// The inclusion proof of entry `index`, computed from tiles verified against the signed
/// checkpoint (so it works against a static mirror too).
pub async fn prove(src: &Source, key: &Ed25519Verifier, index: u64) -> Result<InclusionProof> {
    let note = src.require("checkpoint").await?;
    let cp = open_checkpoint(&note, key)?;
    if index >= cp.size() {
        bail!(
            "entry {index} is not in the register of {} entries",
            cp.size()
        );
    }
    let mut tiles = MapTiles {
        data: BTreeMap::new(),
        missing: RefCell::new(Vec::new()),
    };
    let proof = loop {
        let reader = TileHashReader::new(cp.size(), *cp.root(), &tiles);
        match prove_inclusion(cp.size(), index, &reader) {
            Ok(p) => break p,
            Err(e) if tiles.missing.borrow().is_empty() => bail!("tiles do not verify: {e}"),
            Err(_) => {}
        }
        let wanted: Vec<Tile> = tiles.missing.take();
        for t in wanted {
            let data = src.require(&t.path()).await?;
            tiles.data.insert(t, data);
        }
    };
    // The entry, from its bundle, checked against its verified leaf hash below.
    let bundle_tile = probity_service::register::log::tile::tile_at(cp.size(), 0, index / 256)
        .ok_or_else(|| anyhow!("entry {index} has no bundle"))?;
    let bundle = src.require(&bundle_tile.entries_path()?).await?;
    let entries = probity_service::register::log::bundle::parse_bundle(&bundle)?;
    let entry = entries
        .get((index % 256) as usize)
        .ok_or_else(|| anyhow!("entry {index} is missing from its bundle"))?;
    let out = InclusionProof {
        index,
        tree_size: cp.size(),
        entry: B64.encode(entry),
        leaf_hash: B64.encode(leaf_hash(entry)),
        proof: proof.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: String::from_utf8(note).context("checkpoint is not UTF-8")?,
    };
    check_proof(&out, key)?;
    Ok(out)
}

/// Checks a proof bundle: the checkpoint's signature, the proof from the entry's leaf hash
/// to the signed root, and the entry's encoding.
pub fn check_proof(p: &InclusionProof, key: &Ed25519Verifier) -> Result<LogEntry> {
    let cp: Checkpoint = open_checkpoint(p.checkpoint.as_bytes(), key)?;
    if cp.size() != p.tree_size {
        bail!(
            "the proof is for {} entries but its checkpoint is for {}",
            p.tree_size,
            cp.size()
        );
    }
    let entry = B64.decode(&p.entry).context("entry is not base64")?;
    let hashes = p
        .proof
        .iter()
        .map(|h| B64.decode(h).context("proof hash is not base64"))
        .collect::<Result<Vec<_>>>()?;
    verify_inclusion(p.index, p.tree_size, &leaf_hash(&entry), &hashes, cp.root())
        .map_err(|e| anyhow!("inclusion proof rejected: {e}"))?;
    LogEntry::decode(&entry).map_err(|e| anyhow!("entry {} does not decode: {e}", p.index))
}
