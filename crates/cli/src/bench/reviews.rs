//! The review benchmark: opening a review over N licences in force of which M match, and
//! suspending all M (each outcome durable, audited and in the outbox), each beside a baseline
//! measured in the same run on the same database:
//! - opening (the real command: select, evaluate the rule per licence, write the review and
//!   its items, audit) against one indexed SQL selection of the same rows;
//! - suspending through the real command against plain status UPDATEs of the same licences.
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use probity_domain::{AssessmentInput, ClausesInput, CriteriaSet, ReviewOutcome};
use probity_service::auth::{self, Actor, NewUser};
use probity_service::orgs::{self, NewOrganisation, TeamKind};
use probity_service::review_outcomes::{self, Filter, Selection};
use probity_service::reviews::{self, ReviewBasis};
use probity_service::{assessments, Clock, Ctx};
use probity_store::bulk::{self, Value};
use probity_store::{to_micros, Store};

pub struct Config {
    pub licences: u32,
    pub matching: u32,
    pub rounds: u32,
}

pub struct Section {
    backend: &'static str,
    load_secs: f64,
    examined: usize,
    open: Duration,
    select: Duration,
    selected_rows: usize,
    suspended: usize,
    suspend: Duration,
    raw_update: Duration,
}

fn svc(e: probity_service::ServiceError) -> anyhow::Error {
    anyhow!("{e}")
}

async fn setup(ctx: &Ctx) -> Result<(Actor, Actor, String, String)> {
    let team = orgs::create_team(ctx, None, "Licensing", TeamKind::Licensing)
        .await
        .map_err(svc)?;
    let policy_team = orgs::create_team(ctx, None, "Policy", TeamKind::Policy)
        .await
        .map_err(svc)?;
    let org = orgs::create_organisation(
        ctx,
        None,
        &NewOrganisation {
            name: "Bench Ltd".into(),
            registration_number: "0999".into(),
            address: "1 Road".into(),
            country: "GB".into(),
        },
    )
    .await
    .map_err(svc)?;
    let mk = |email: &str, role: &str, team: String| NewUser {
        email: email.into(),
        display_name: email.into(),
        role: role.into(),
        password: "benchmark password 1".into(),
        organisation_id: None,
        team_id: Some(team),
    };
    let p = auth::create_user(
        ctx,
        None,
        &mk("policy@bench.test", "policy", policy_team.to_string()),
    )
    .await
    .map_err(svc)?;
    let d = auth::create_user(
        ctx,
        None,
        &mk("dm@bench.test", "decision_maker", team.to_string()),
    )
    .await
    .map_err(svc)?;
    let e = auth::create_user(
        ctx,
        None,
        &NewUser {
            email: "exporter@bench.test".into(),
            display_name: "Exporter".into(),
            role: "exporter".into(),
            password: "benchmark password 1".into(),
            organisation_id: Some(org.to_string()),
            team_id: None,
        },
    )
    .await
    .map_err(svc)?;
    Ok((
        auth::get_user(ctx, p).await.map_err(svc)?,
        auth::get_user(ctx, d).await.map_err(svc)?,
        org.to_string(),
        e.to_string(),
    ))
}

/// Licence `i`: one in ten to IL, of which `matching` rate ML10 (the rest ML13); the others
/// to six other destinations with the same mix of ratings.
fn shape(i: u32, cfg: &Config) -> (&'static str, &'static str) {
    const ELSEWHERE: [&str; 6] = ["NO", "FR", "US", "AU", "JP", "BR"];
    let il = i.is_multiple_of(10);
    let il_index = i / 10;
    if il {
        let rating = if il_index < cfg.matching {
            "ML10"
        } else {
            "ML13"
        };
        ("IL", rating)
    } else {
        let rating = if i.is_multiple_of(2) { "ML10" } else { "ML13" };
        (ELSEWHERE[(i % 6) as usize], rating)
    }
}

/// Bulk-load licences in force with their cases, goods, ratings and destinations.
async fn load(store: &Store, org: &str, user: &str, cfg: &Config) -> Result<()> {
    let now = to_micros(time::OffsetDateTime::now_utc());
    let until = now + 365 * 86_400 * 1_000_000;
    let batch = 2_000u32;
    let mut i = 0;
    while i < cfg.licences {
        let n = batch.min(cfg.licences - i);
        let rows: Vec<(String, String, String, String, String, &str, &str)> = (i..i + n)
            .map(|k| {
                let (dest, rating) = shape(k, cfg);
                let reference = format!("GBSIEL/2025/{:07}", k + 1);
                (
                    uuid::Uuid::now_v7().to_string(),
                    uuid::Uuid::now_v7().to_string(),
                    uuid::Uuid::now_v7().to_string(),
                    format!("{reference}/L1"),
                    reference,
                    dest,
                    rating,
                )
            })
            .collect();
        let mut tx = store.pool().begin().await?;
        let cases: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| {
                vec![
                    Value::Text(&r.0),
                    Value::Text("application"),
                    Value::Text(&r.4),
                    Value::Text(org),
                    Value::Text(user),
                    Value::Text("siel"),
                    Value::Text("finalised"),
                    Value::Text("{}"),
                    Value::Text("For use by the armed forces."),
                    Value::Text("armed_forces"),
                    Value::Text(r.5),
                    Value::Int(now),
                    Value::Int(now),
                ]
            })
            .collect();
        let cols = [
            "id",
            "kind",
            "reference",
            "organisation_id",
            "created_by",
            "licence_type",
            "status",
            "draft_json",
            "end_use_statement",
            "end_user_type",
            "destinations",
            "created_at",
            "updated_at",
        ];
        bulk::insert_rows(&mut tx, "cases", &cols, &cases, &mut |_| {}).await?;
        let lines: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| {
                vec![
                    Value::Text(&r.1),
                    Value::Text(&r.0),
                    Value::Int(0),
                    Value::Text("Components"),
                    Value::Int(10),
                    Value::Text("items"),
                    Value::Int(12_500_000),
                    Value::Text("GBP"),
                    Value::Int(0),
                ]
            })
            .collect();
        let cols = [
            "id",
            "case_id",
            "position",
            "description",
            "quantity",
            "unit",
            "value_minor",
            "currency",
            "incorporated",
        ];
        bulk::insert_rows(&mut tx, "goods_lines", &cols, &lines, &mut |_| {}).await?;
        let ratings: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| vec![Value::Text(&r.1), Value::Int(0), Value::Text(r.6)])
            .collect();
        bulk::insert_rows(
            &mut tx,
            "goods_ratings",
            &["goods_line_id", "position", "rating"],
            &ratings,
            &mut |_| {},
        )
        .await?;
        let dests: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| vec![Value::Text(&r.0), Value::Text(r.5)])
            .collect();
        bulk::insert_rows(
            &mut tx,
            "case_destinations",
            &["case_id", "country"],
            &dests,
            &mut |_| {},
        )
        .await?;
        let licences: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| {
                vec![
                    Value::Text(&r.2),
                    Value::Text(&r.3),
                    Value::Text(&r.0),
                    Value::Text(org),
                    Value::Text("siel"),
                    Value::Text("issued"),
                    Value::Text("[]"),
                    Value::Int(now),
                    Value::Int(until),
                    Value::Int(now),
                ]
            })
            .collect();
        let cols = [
            "id",
            "number",
            "case_id",
            "organisation_id",
            "licence_type",
            "status",
            "provisos_json",
            "issued_at",
            "valid_until",
            "updated_at",
        ];
        bulk::insert_rows(&mut tx, "licences", &cols, &licences, &mut |_| {}).await?;
        tx.commit().await?;
        i += n;
    }
    Ok(())
}

fn assessment(finding: &str) -> AssessmentInput {
    AssessmentInput {
        destination: "IL".into(),
        criterion: "2c".into(),
        finding: finding.into(),
        scope: ClausesInput {
            ratings: "ML10".into(),
            ..ClausesInput::default()
        },
        exclusions: vec![],
        evidence: "Evidence assessed by officials for the benchmark.".into(),
        reasons: "A clear risk that the items might be used in serious violations.".into(),
        legal_basis: "Criterion 2(c)".into(),
        public_summary: "A clear risk under criterion 2(c) for aircraft components.".into(),
    }
}

/// The baseline: one indexed selection of the licences the rule matches.
async fn select(store: &Store) -> Result<(Duration, usize)> {
    let now = to_micros(time::OffsetDateTime::now_utc());
    let t = Instant::now();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.id, l.number FROM case_destinations d \
         JOIN licences l ON l.case_id = d.case_id \
         JOIN goods_lines g ON g.case_id = d.case_id \
         JOIN goods_ratings r ON r.goods_line_id = g.id \
         WHERE d.country = 'IL' AND l.status IN ('issued', 'reinstated') AND l.valid_until > $1 \
         AND (r.rating = 'ML10' OR r.rating LIKE 'ML10.%')",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    Ok((t.elapsed(), rows.len()))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub async fn run(backend: &'static str, url: &str, cfg: &Config) -> Result<Section> {
    eprintln!("[{backend}] opening {url}");
    let store = Store::open(url).await?;
    let ctx = Ctx::new(store.clone(), CriteriaSet::uk_selc(), Clock::system());
    let (policy, dm, org, user) = setup(&ctx).await?;
    eprintln!("[{backend}] loading {} licences", cfg.licences);
    let t = Instant::now();
    load(&store, &org, &user, cfg).await?;
    // A database in service has statistics; one just loaded in bulk has none until
    // autovacuum runs, so take them now (outside the timings).
    if store.backend() == probity_store::Backend::Postgres {
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let load_secs = t.elapsed().as_secs_f64();
    // Rounds alternate the real opening with the baseline so drift hits both alike. Each
    // round records "no concern" then "clear risk", so every version offers a review.
    let (mut opens, mut selects) = (Vec::new(), Vec::new());
    let (mut review, mut examined, mut selected_rows) = (None, 0, 0);
    for _ in 0..cfg.rounds.max(1) {
        assessments::record(&ctx, &policy, &assessment("no_concern"))
            .await
            .map_err(svc)?;
        let risk = assessments::record(&ctx, &policy, &assessment("clear_risk"))
            .await
            .map_err(svc)?;
        let t = Instant::now();
        let (id, preview) = reviews::open(&ctx, &policy, ReviewBasis::Assessment(risk.id))
            .await
            .map_err(svc)?;
        opens.push(t.elapsed());
        anyhow::ensure!(
            preview.licences == cfg.matching as usize,
            "the review selected {} licences, not {}",
            preview.licences,
            cfg.matching
        );
        let (d, n) = select(&store).await?;
        selects.push(d);
        (review, examined, selected_rows) = (Some(id), preview.examined, n);
    }
    let review = review.expect("at least one round");
    eprintln!("[{backend}] suspending {}", cfg.matching);
    let t = Instant::now();
    let report = review_outcomes::decide(
        &ctx,
        &dm,
        review,
        &Selection::Filter(Filter::default()),
        ReviewOutcome::Suspend,
        "Suspended under the benchmark's review of the destination.",
    )
    .await
    .map_err(svc)?;
    let suspend = t.elapsed();
    // Baseline: the same licences back to issued with plain UPDATEs, in the same chunks.
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT licence_id FROM review_items WHERE review_id = $1 ORDER BY licence_number",
    )
    .bind(review.to_string())
    .fetch_all(store.pool())
    .await?;
    let t = Instant::now();
    for chunk in ids.chunks(250) {
        let mut tx = store.pool().begin().await?;
        for part in chunk.chunks(150) {
            let sql = format!(
                "UPDATE licences SET status = 'issued', updated_at = $1 WHERE id IN ({})",
                bulk::in_list(2, part.len())
            );
            let mut q = sqlx::query(&sql).bind(to_micros(time::OffsetDateTime::now_utc()));
            for id in part {
                q = q.bind(id.as_str());
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let raw_update = t.elapsed();
    store.close().await;
    Ok(Section {
        backend,
        load_secs,
        examined,
        open: median(opens),
        select: median(selects),
        selected_rows,
        suspended: report.decided.len(),
        suspend,
        raw_update,
    })
}

pub fn report(sections: &[Section], cfg: &Config) -> String {
    let mut s = String::new();
    s.push_str("## Reviews: opening and suspending at scale\n\n");
    s.push_str(&format!(
        "Command: `cargo run --release -p probity-cli --bin probity-bench -- --suite reviews --review-licences {} --review-matching {} --postgres-url <url> --write`\n\n",
        cfg.licences, cfg.matching
    ));
    s.push_str(&format!("{} licences in force (one in ten to the reviewed destination); the rule (destination IL, ratings ML10) matches {}. Opening is `reviews::open`: the pre-selection by destination and rating in SQL, the domain's rule evaluated per licence with its reason, the review and every item written, audited, in one transaction (median of {} rounds). The baseline is one indexed SQL selection of the same rows. Suspending is `review_outcomes::decide` over the whole review: per licence a status change, a licence event, a public record in the outbox and an audit event, committed every 250 licences; the baseline sets the same licences back with plain UPDATEs in the same chunks.\n\n", cfg.licences, cfg.matching, cfg.rounds.max(1)));
    s.push_str("| backend | load | rule evaluated | open | SQL selection (rows) | ratio | suspended | suspend rate | plain UPDATE rate | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for x in sections {
        let rate = x.suspended as f64 / x.suspend.as_secs_f64();
        let raw = x.suspended as f64 / x.raw_update.as_secs_f64();
        s.push_str(&format!(
            "| {} | {:.0} s | {} | {:.2} s | {:.2} s ({}) | {:.1} | {} | {:.0}/s | {:.0}/s | {:.2} |\n",
            x.backend,
            x.load_secs,
            x.examined,
            x.open.as_secs_f64(),
            x.select.as_secs_f64(),
            x.selected_rows,
            x.open.as_secs_f64() / x.select.as_secs_f64(),
            x.suspended,
            rate,
            raw,
            rate / raw
        ));
    }
    s
}
