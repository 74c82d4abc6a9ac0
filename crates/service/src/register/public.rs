//! What the register serves to anyone: the latest checkpoint, the verifier key, tiles, entry
//! bundles (C2SP tlog-tiles) and inclusion proofs. Nothing here reads the private openings.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use probity_register::bundle::encode_bundle;
use probity_register::merkle::leaf_hash;
use probity_register::prove_inclusion;
use probity_register::tile::{tile_at, Tile, TileResource, TILE_WIDTH};
use probity_store::register::{self as reg, DbHashes};
use probity_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::{Ctx, ServiceError, ServiceResult};

/// The latest signed checkpoint (note text), if the register has started — with witness
/// cosignatures appended when a quorum of the configured witnesses has cosigned it.
pub async fn checkpoint(ctx: &Ctx) -> ServiceResult<Option<String>> {
    let mut conn = ctx.store.pool().acquire().await.map_err(StoreError::from)?;
    let Some(note) = reg::latest_checkpoint(&mut conn).await?.map(|c| c.note) else {
        return Ok(None);
    };
    let cosigned = super::witnessing::cosigned_latest(&mut conn, &note).await?;
    Ok(Some(cosigned.unwrap_or(note)))
}

/// The register's verifier key (`<origin>+<key id>+<base64>`), if it has started.
pub async fn verifier_key(ctx: &Ctx) -> ServiceResult<Option<String>> {
    let mut conn = ctx.store.pool().acquire().await.map_err(StoreError::from)?;
    Ok(reg::log_key(&mut conn).await?)
}

/// The tile or entry bundle named by `resource`, or `None` if the current tree does not
/// (yet) contain it. A partial tile of width `W` is served while the tile holds at least `W`
/// hashes (its data is a prefix of the full tile, so it never changes either).
pub async fn tile(ctx: &Ctx, resource: TileResource) -> ServiceResult<Option<Vec<u8>>> {
    let mut tx = ctx.store.begin_read().await?;
    let Some(cp) = reg::latest_checkpoint(&mut tx).await? else {
        return Ok(None);
    };
    let (tile, entries) = match resource {
        TileResource::Hashes(t) => (t, false),
        TileResource::Entries(t) => (t, true),
    };
    let Some(available) = tile_at(cp.tree_size, tile.level(), tile.index()) else {
        return Ok(None);
    };
    if available.width() < tile.width() {
        return Ok(None);
    }
    let data = if entries {
        bundle(&mut tx, &tile).await?
    } else {
        reg::read_tile(&mut tx, &tile).await?
    };
    Ok(Some(data))
}

fn corrupt(msg: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(msg))
}

/// An inclusion proof bundle: everything needed to check offline that an entry is in the
/// log, given the log's verifier key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The entry's register index (its leaf index).
    pub index: u64,
    /// The size of the tree the proof is for (the checkpoint's size).
    pub tree_size: u64,
    /// The entry bytes, base64.
    pub entry: String,
    /// SHA-256(0x00 ‖ entry), base64.
    pub leaf_hash: String,
    /// RFC 9162 inclusion path, leaf first, base64 hashes.
    pub proof: Vec<String>,
    /// The signed checkpoint (C2SP note text) for `tree_size`.
    pub checkpoint: String,
}

/// The inclusion proof of entry `index` in the latest checkpoint.
pub async fn inclusion_proof(ctx: &Ctx, index: u64) -> ServiceResult<InclusionProof> {
    let mut tx = ctx.store.begin_read().await?;
    let cp = reg::latest_checkpoint(&mut tx)
        .await?
        .ok_or(ServiceError::NotFound("register entry"))?;
    if index >= cp.tree_size {
        return Err(ServiceError::NotFound("register entry"));
    }
    let entry = reg::read_entries(&mut tx, index, 1)
        .await?
        .pop()
        .ok_or_else(|| corrupt(format!("register entry {index} is missing")))?;
    let size = cp.tree_size;
    let proof = DbHashes::compute(&mut tx, |r| prove_inclusion(size, index, r))
        .await?
        .map_err(|e| corrupt(e.to_string()))?;
    Ok(InclusionProof {
        index,
        tree_size: size,
        leaf_hash: B64.encode(leaf_hash(&entry.bytes)),
        entry: B64.encode(&entry.bytes),
        proof: proof.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: cp.note,
    })
}

/// Everything a static mirror needs, read in one snapshot: the checkpoint and every tile and
/// entry bundle of its tree, as (path relative to the register root, data).
pub async fn export(ctx: &Ctx) -> ServiceResult<Vec<(String, Vec<u8>)>> {
    let mut tx = ctx.store.begin_read().await?;
    let cp = reg::latest_checkpoint(&mut tx)
        .await?
        .ok_or(ServiceError::NotFound("register checkpoint"))?;
    let mut out = vec![("checkpoint".to_string(), cp.note.clone().into_bytes())];
    if let Some(key) = reg::log_key(&mut tx).await? {
        out.push(("key".to_string(), format!("{key}\n").into_bytes()));
    }
    let tiles =
        probity_register::tile::tiles_for_size(cp.tree_size).map_err(|e| corrupt(e.to_string()))?;
    for t in &tiles {
        out.push((t.path(), reg::read_tile(&mut tx, t).await?));
        if t.level() == 0 {
            out.push((entries_path(t)?, bundle(&mut tx, t).await?));
        }
    }
    Ok(out)
}

fn entries_path(t: &Tile) -> ServiceResult<String> {
    t.entries_path().map_err(|e| corrupt(e.to_string()))
}

async fn bundle(tx: &mut probity_store::Tx, t: &Tile) -> ServiceResult<Vec<u8>> {
    let rows =
        reg::read_entries(tx, t.index() * u64::from(TILE_WIDTH), u64::from(t.width())).await?;
    if rows.len() != usize::from(t.width()) {
        return Err(corrupt(format!(
            "entries missing from bundle {}",
            t.index()
        )));
    }
    let bytes: Vec<&[u8]> = rows.iter().map(|e| e.bytes.as_slice()).collect();
    encode_bundle(&bytes).map_err(|e| corrupt(e.to_string()))
}
