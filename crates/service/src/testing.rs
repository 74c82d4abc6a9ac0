//! Test fixtures shared by every crate's tests: a fresh database on either backend, a
//! populated "world" (organisations, teams, one user per role) and builders that drive a
//! case to any stage through the real commands.
use probity_domain::{
    ApplicationInput, CaseId, CriteriaSet, GoodsLineInput, PartyInput, PartyRole, TeamId,
};
use probity_store::Store;
use time::OffsetDateTime;

use crate::advice::AdviceInput;
use crate::auth::{create_user_hashed, get_user, Actor, NewUser};
use crate::decisions::{DecisionInput, Finalised};
use crate::orgs::{create_organisation, create_team, NewOrganisation, TeamKind};
use crate::{advice, applications, cases, decisions, Clock, Ctx};

pub mod tamper;

/// The password of every fixture user.
pub const PASSWORD: &str = "correct horse battery staple";
/// The client address service tests sign in from (sign-in is throttled per address).
pub const LOCAL_CLIENT: crate::sign_in::ClientAddr =
    crate::sign_in::ClientAddr(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

/// One real Argon2id hash of [`PASSWORD`], computed once per process: every fixture user
/// signs in with it, without each `World` spending ten hashes.
fn fixture_hash(password: &str) -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    assert_eq!(password, PASSWORD, "fixture users share one password");
    HASH.get_or_init(|| crate::auth::hash_password(PASSWORD).expect("hash the fixture password"))
        .clone()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Both backends: every conformance test runs on each.
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
}

/// A fresh, migrated database. SQLite lives in a temporary folder; PostgreSQL gets a new
/// database on the server named by `PROBITY_TEST_POSTGRES_URL` (the test script starts one).
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("probity.db").display());
                let store = Store::open(&url).await.expect("open SQLite");
                TestDb {
                    backend,
                    url,
                    store,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = std::env::var("PROBITY_TEST_POSTGRES_URL").expect(
                    "PROBITY_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh, which starts \
                     PostgreSQL, or point it at a server where this user may CREATE DATABASE",
                );
                let name = format!("probity_test_{}", uuid::Uuid::new_v4().simple());
                let admin_store = Store::connect(&admin)
                    .await
                    .expect("connect to the PostgreSQL test server");
                probity_store::testing::create_database(&admin_store, &name)
                    .await
                    .expect("CREATE DATABASE");
                admin_store.close().await;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                let url = format!("{base}/{name}");
                let store = Store::open(&url)
                    .await
                    .expect("open PostgreSQL test database");
                TestDb {
                    backend,
                    url,
                    store,
                    _dir: None,
                }
            }
        }
    }
}

/// Everyone a test needs, in a fresh database.
pub struct World {
    pub ctx: Ctx,
    pub clock: Clock,
    pub exporter: Actor,
    /// An exporter of a different organisation (must never see `exporter`'s cases).
    pub other_exporter: Actor,
    pub caseworker: Actor,
    pub fcdo_adviser: Actor,
    pub mod_adviser: Actor,
    pub decision_maker: Actor,
    pub second_decision_maker: Actor,
    pub policy: Actor,
    pub oversight: Actor,
    pub admin: Actor,
    pub fcdo: TeamId,
    pub mod_team: TeamId,
}

impl World {
    /// Build the world at a fixed time (tests move the clock to cross deadlines).
    pub async fn new(db: &TestDb) -> World {
        let clock = Clock::fixed(time::macros::datetime!(2026-03-02 09:00 UTC));
        // The fixtures are about licensing: nobody must have a second factor. Tests of
        // two-factor sign-in switch the requirement back on (`Ctx::with_two_factor`).
        let ctx = Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), clock.clone())
            .with_two_factor(crate::two_factor::TwoFactorPolicy::Optional);
        let c = &ctx;
        let licensing = create_team(c, None, "Export Control Joint Unit", TeamKind::Licensing)
            .await
            .expect("team");
        let fcdo = create_team(c, None, "FCDO", TeamKind::Advisory)
            .await
            .expect("team");
        let mod_team = create_team(c, None, "MOD", TeamKind::Advisory)
            .await
            .expect("team");
        let org = |name: &str, reg: &str| NewOrganisation {
            name: name.into(),
            registration_number: reg.into(),
            address: "1 High Street, London".into(),
            country: "GB".into(),
        };
        let org_a = create_organisation(c, None, &org("Acme Defence Ltd", "0100001"))
            .await
            .expect("org");
        let org_b = create_organisation(c, None, &org("Rival Arms plc", "0100002"))
            .await
            .expect("org");
        let user = |email: &str, role: &str, org: Option<String>, team: Option<TeamId>| NewUser {
            email: email.into(),
            display_name: email.split('@').next().unwrap_or(email).into(),
            role: role.into(),
            password: PASSWORD.into(),
            organisation_id: org,
            team_id: team.map(|t| t.to_string()),
        };
        let specs = [
            user(
                "exporter@acme.test",
                "exporter",
                Some(org_a.to_string()),
                None,
            ),
            user(
                "exporter@rival.test",
                "exporter",
                Some(org_b.to_string()),
                None,
            ),
            user("caseworker@ecju.test", "caseworker", None, Some(licensing)),
            user("adviser@fcdo.test", "adviser", None, Some(fcdo)),
            user("adviser@mod.test", "adviser", None, Some(mod_team)),
            user("dm@ecju.test", "decision_maker", None, Some(licensing)),
            user("dm2@ecju.test", "decision_maker", None, Some(licensing)),
            user("policy@ecju.test", "policy", None, None),
            user("oversight@oversight.test", "oversight", None, None),
            user("admin@probity.test", "admin", None, None),
        ];
        let mut actors = Vec::new();
        for s in &specs {
            let id = create_user_hashed(c, None, s, |p| Ok(fixture_hash(p)))
                .await
                .expect("user");
            actors.push(get_user(c, id).await.expect("user"));
        }
        let mut it = actors.into_iter();
        let mut next = || it.next().expect("actor");
        World {
            exporter: next(),
            other_exporter: next(),
            caseworker: next(),
            fcdo_adviser: next(),
            mod_adviser: next(),
            decision_maker: next(),
            second_decision_maker: next(),
            policy: next(),
            oversight: next(),
            admin: next(),
            fcdo,
            mod_team,
            ctx,
            clock,
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Every actor with a label, for role-matrix tests.
    pub fn everyone(&self) -> Vec<(&'static str, &Actor)> {
        vec![
            ("exporter", &self.exporter),
            ("other_exporter", &self.other_exporter),
            ("caseworker", &self.caseworker),
            ("fcdo_adviser", &self.fcdo_adviser),
            ("mod_adviser", &self.mod_adviser),
            ("decision_maker", &self.decision_maker),
            ("second_decision_maker", &self.second_decision_maker),
            ("policy", &self.policy),
            ("oversight", &self.oversight),
            ("admin", &self.admin),
        ]
    }
}

/// A valid standard licence application to one destination.
pub fn siel(destination: &str) -> ApplicationInput {
    ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            description: "Thermal imaging weapon sights".into(),
            ratings: vec!["ML15b".into()],
            quantity: "40".into(),
            unit: "items".into(),
            value: "356000.00".into(),
            incorporated: false,
        }],
        parties: vec![
            PartyInput {
                role: PartyRole::EndUser,
                name: "Ministry of Defence".into(),
                address: "Defence procurement, capital city".into(),
                country: destination.into(),
                end_user_type: Some("armed_forces".into()),
            },
            PartyInput {
                role: PartyRole::Consignee,
                name: "Central Logistics Depot".into(),
                address: "Depot road, capital city".into(),
                country: destination.into(),
                end_user_type: None,
            },
        ],
        end_use_statement: "For use by the national armed forces for night-time border patrols."
            .into(),
    }
}

/// How far to drive a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Submitted,
    UnderReview,
    AwaitingExporter,
    AdviceRequested,
    /// Both teams advised (approve, or FCDO refuses under 2c when `refuse`), final advice consolidated.
    FinalAdvice,
    UnderFinalReview,
    AwaitingCountersign,
    Granted,
    Refused,
}

impl World {
    /// Submit an application for `exporter` and drive it to `stage` with the real commands.
    pub async fn case_at(&self, stage: Stage) -> CaseId {
        self.case_for(&siel("NO"), stage).await
    }

    /// Submit `input` for `exporter` and drive it to `stage`; advice is given for its first
    /// destination.
    pub async fn case_for(&self, input: &ApplicationInput, stage: Stage) -> CaseId {
        let c = &self.ctx;
        let destination = input
            .parties
            .iter()
            .find(|p| p.role == PartyRole::EndUser)
            .map(|p| p.country.clone())
            .unwrap_or_else(|| "NO".into());
        let (id, _) = applications::submit_new(c, &self.exporter, input)
            .await
            .expect("submit");
        if stage == Stage::Submitted {
            return id;
        }
        cases::assign_to_self(c, &self.caseworker, id)
            .await
            .expect("assign");
        if stage == Stage::UnderReview {
            return id;
        }
        if stage == Stage::AwaitingExporter {
            cases::ask_question(
                c,
                &self.caseworker,
                id,
                "Please send the end-user undertaking.",
            )
            .await
            .expect("ask");
            return id;
        }
        advice::request_advice(
            c,
            &self.caseworker,
            id,
            &[self.fcdo, self.mod_team],
            "Please advise.",
        )
        .await
        .expect("request advice");
        if stage == Stage::AdviceRequested {
            return id;
        }
        let refuse = stage == Stage::Refused;
        for (adviser, refuses) in [(&self.fcdo_adviser, refuse), (&self.mod_adviser, false)] {
            let input = AdviceInput {
                destination: destination.clone(),
                kind: if refuses { "refuse" } else { "approve" }.into(),
                proviso: String::new(),
                criteria: if refuses { vec!["2c".into()] } else { vec![] },
                reasons: "Assessed against every criterion.".into(),
            };
            advice::give_advice(c, adviser, id, &input)
                .await
                .expect("advice");
        }
        advice::consolidate_final(c, &self.caseworker, id, "Consolidated from both teams.")
            .await
            .expect("final advice");
        if stage == Stage::FinalAdvice {
            return id;
        }
        decisions::submit_for_decision(c, &self.caseworker, id)
            .await
            .expect("submit for decision");
        if stage == Stage::UnderFinalReview {
            return id;
        }
        let decision = DecisionInput {
            decision: if refuse {
                probity_domain::DecisionKind::Refuse
            } else {
                probity_domain::DecisionKind::Grant
            },
            provisos: vec![],
            criteria: if refuse { vec!["2c".into()] } else { vec![] },
            reasons: "Decided on the consolidated advice and the case record.".into(),
            conflict_resolution: if refuse {
                "The clear risk under criterion 2c outweighs the defence view.".into()
            } else {
                String::new()
            },
            countersign: stage == Stage::AwaitingCountersign,
            ..Default::default()
        };
        let outcome = decisions::finalise(c, &self.decision_maker, id, &decision)
            .await
            .expect("finalise");
        match stage {
            Stage::AwaitingCountersign => assert_eq!(outcome, Finalised::AwaitingCountersign),
            Stage::Granted => assert!(matches!(outcome, Finalised::Granted(_))),
            Stage::Refused => assert_eq!(outcome, Finalised::Refused),
            _ => {}
        }
        id
    }
}

/// Generate one test per backend for each named `async fn name(backend: Backend)` in scope:
/// `name::sqlite` and `name::postgres`, so a failure names the database it happened on.
///
/// ```ignore
/// async fn submits(backend: Backend) { let db = TestDb::new(backend).await; /* … */ }
/// probity_service::backend_tests!(submits);
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::testing::Backend::Sqlite).await;
                }

                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::testing::Backend::Postgres).await;
                }
            }
        )*
    };
}

/// Row counts of every table a command may write: compare before and after a refused
/// command to prove it left no trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowCounts {
    pub cases: i64,
    pub goods_lines: i64,
    pub goods_ratings: i64,
    pub parties: i64,
    pub case_destinations: i64,
    pub questions: i64,
    pub advice_requests: i64,
    pub advice: i64,
    pub pending_decisions: i64,
    pub licences: i64,
    pub licence_events: i64,
    pub documents: i64,
    pub reference_counters: i64,
    pub decision_outbox: i64,
    pub audit_events: i64,
}

impl RowCounts {
    pub async fn of(store: &Store) -> RowCounts {
        let n = |table: &'static str| {
            let store = store.clone();
            async move {
                probity_store::count(
                    &store,
                    &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"),
                )
                .await
                .unwrap_or_else(|e| panic!("count {table}: {e}"))
            }
        };
        RowCounts {
            cases: n("cases").await,
            goods_lines: n("goods_lines").await,
            goods_ratings: n("goods_ratings").await,
            parties: n("parties").await,
            case_destinations: n("case_destinations").await,
            questions: n("questions").await,
            advice_requests: n("advice_requests").await,
            advice: n("advice").await,
            pending_decisions: n("pending_decisions").await,
            licences: n("licences").await,
            licence_events: n("licence_events").await,
            documents: n("documents").await,
            reference_counters: n("reference_counters").await,
            decision_outbox: n("decision_outbox").await,
            audit_events: n("audit_events").await,
        }
    }
}

impl World {
    /// Another caseworker in the same team, for tests of who may work a case.
    pub async fn colleague_caseworker(&self, email: &str) -> Actor {
        let new = NewUser {
            email: email.into(),
            display_name: "Casey Colleague".into(),
            role: "caseworker".into(),
            password: PASSWORD.into(),
            organisation_id: None,
            team_id: self.caseworker.team_id.map(|t| t.to_string()),
        };
        let id = create_user_hashed(&self.ctx, None, &new, |p| Ok(fixture_hash(p)))
            .await
            .expect("colleague");
        get_user(&self.ctx, id).await.expect("colleague")
    }
}
