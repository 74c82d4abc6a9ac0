//! The log's side of witnessing on both databases, against in-process witnesses: the served
//! checkpoint carries cosignatures once k of n witnesses have cosigned the latest tree; a
//! witness that already holds a tree answers 409 with its size and is then sent a consistency
//! proof from there; a stricter policy that cannot be met clears the cosigned checkpoint.
use probity_register::cosignature::Cosigner;
use probity_register::note::{parse_note, Ed25519Signer};
use probity_register::witness::{AddCheckpoint, TreeHead, Witness, WitnessError};
use probity_service::register::public;
use probity_service::register::witnessing::{self as wit, WitnessConfig, WitnessPolicy};
use probity_service::register::Sequencer;
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::Ctx;

const ORIGIN: &str = "probity.test/register";

fn signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(ORIGIN, &[9; 32]).unwrap()
}

struct Fake {
    witness: Witness,
    head: Option<TreeHead>,
    reachable: bool,
}

fn fake(i: u8) -> (Fake, WitnessConfig) {
    let c = Cosigner::from_seed(&format!("w{i}.test"), &[i; 32]).unwrap();
    let config = format!("w{i}.test={}@http://w{i}.test", c.verifier().vkey())
        .parse()
        .unwrap();
    let mut witness = Witness::new(c);
    witness.add_log(signer().verifier());
    (
        Fake {
            witness,
            head: None,
            reachable: true,
        },
        config,
    )
}

/// One round of the follow-up task, with the HTTP replaced by direct calls.
async fn round(ctx: &Ctx, policy: &WitnessPolicy, fakes: &mut [Fake]) -> usize {
    for s in wit::submissions(ctx, policy).await.unwrap() {
        let f = &mut fakes[s.witness];
        if !f.reachable {
            continue;
        }
        let req = AddCheckpoint::parse(&s.body).unwrap();
        match f.witness.check(&req, f.head) {
            Ok((cp, text)) => {
                f.head = Some(TreeHead {
                    size: cp.size(),
                    root: *cp.root(),
                });
                let line = f.witness.cosign(&text, 1_800_000_000).unwrap();
                wit::record_cosignature(ctx, policy, s.witness, s.checkpoint_size, line.as_bytes())
                    .await
                    .unwrap();
            }
            Err(WitnessError::SizeMismatch { stored, .. }) => {
                wit::record_witness_size(ctx, policy, s.witness, stored)
                    .await
                    .unwrap();
            }
            Err(e) => panic!("witness refused an honest log: {e}"),
        }
    }
    wit::assemble(ctx, policy).await.unwrap()
}

async fn served_signatures(ctx: &Ctx) -> usize {
    let note = public::checkpoint(ctx).await.unwrap().unwrap();
    parse_note(note.as_bytes()).unwrap().signatures.len()
}

async fn k_of_n_cosigned_checkpoint(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let seq = Sequencer::new(signer());
    w.case_at(Stage::Granted).await;
    seq.run_once(c).await.unwrap();

    let (mut fakes, configs): (Vec<Fake>, Vec<WitnessConfig>) = (1..=3).map(fake).unzip();
    fakes[2].reachable = false;
    let policy = WitnessPolicy::new(configs.clone(), 2).unwrap();
    assert_eq!(served_signatures(c).await, 1);
    assert_eq!(round(c, &policy, &mut fakes).await, 2);
    assert_eq!(served_signatures(c).await, 3);
    // Nothing more to send until the tree grows.
    assert!(wit::submissions(c, &policy).await.unwrap().len() == 1); // only the unreachable one

    // The tree grows: the new checkpoint is served alone until the witnesses cosign it, with
    // a consistency proof from the size each holds.
    let first = fakes[0].head.unwrap().size;
    w.case_at(Stage::Refused).await;
    seq.run_once(c).await.unwrap();
    assert_eq!(served_signatures(c).await, 1);
    assert_eq!(round(c, &policy, &mut fakes).await, 2);
    assert_eq!(served_signatures(c).await, 3);
    assert!(fakes[0].head.unwrap().size > first);

    // The third witness comes up already holding the first tree: it answers 409 with its
    // size, and the next round proves consistency from there.
    fakes[2].reachable = true;
    fakes[2].head = Some(TreeHead {
        size: first,
        root: probity_register::tree_hash(first, &MemoryTree::of(c).await).unwrap(),
    });
    let all = WitnessPolicy::new(configs.clone(), 3).unwrap();
    assert_eq!(round(c, &all, &mut fakes).await, 2);
    assert_eq!(served_signatures(c).await, 1, "3 of 3 not met yet");
    assert_eq!(round(c, &all, &mut fakes).await, 3);
    assert_eq!(served_signatures(c).await, 4);

    // A policy that cannot be met clears what is served.
    fakes[2].reachable = false;
    w.case_at(Stage::Granted).await;
    seq.run_once(c).await.unwrap();
    assert_eq!(round(c, &all, &mut fakes).await, 2);
    assert_eq!(served_signatures(c).await, 1);
    assert_eq!(round(c, &policy, &mut fakes).await, 2);
    assert_eq!(served_signatures(c).await, 3);
}

/// The stored hashes, read through the public tiles (to compute an old root).
struct MemoryTree(probity_register::store::MemoryStore);

impl MemoryTree {
    async fn of(ctx: &Ctx) -> MemoryTree {
        let files = public::export(ctx).await.unwrap();
        let mut entries = Vec::new();
        let mut bundles: Vec<_> = files
            .iter()
            .filter(|(p, _)| p.starts_with("tile/entries/"))
            .collect();
        bundles.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, data) in bundles {
            entries.extend(probity_register::bundle::parse_bundle(data).unwrap());
        }
        let mut store = probity_register::store::MemoryStore::new();
        probity_register::store::append_entries(&mut store, 0, &entries).unwrap();
        MemoryTree(store)
    }
}

impl probity_register::HashReader for MemoryTree {
    fn read_hashes(
        &self,
        indexes: &[u64],
    ) -> Result<Vec<probity_register::Hash>, probity_register::StorageError> {
        self.0.read_hashes(indexes)
    }
}

probity_service::backend_tests!(k_of_n_cosigned_checkpoint);
