//! The licensing-core benchmark: submissions per second and case-list latency at scale.
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use probity_domain::{ApplicationInput, CriteriaSet, GoodsLineInput, PartyInput, PartyRole};
use probity_service::auth::{self, Actor, NewUser};
use probity_service::orgs::{self, NewOrganisation, TeamKind};
use probity_service::{applications, Clock, Ctx};
use probity_store::{to_micros, Store};
use tower::ServiceExt;

pub struct Config {
    pub cases: u32,
    pub submissions: u32,
    pub requests: u32,
}

pub struct Section {
    backend: &'static str,
    preload_secs: f64,
    submit_rate: f64,
    raw_rate: f64,
    pages: Vec<(String, Stats, Stats)>,
}

#[derive(Clone, Copy)]
pub struct Stats {
    median_ms: f64,
    p95_ms: f64,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| {
        samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
    };
    Stats {
        median_ms: at(0.5),
        p95_ms: at(0.95),
    }
}

/// Create a fresh database on the PostgreSQL server and return its URL.
pub async fn fresh_postgres(admin: &str) -> Result<String> {
    let name = format!("probity_bench_{}", uuid::Uuid::new_v4().simple());
    let store = Store::connect(admin)
        .await
        .context("connect to PostgreSQL")?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(store.pool())
        .await?;
    store.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    Ok(format!("{base}/{name}"))
}

fn application(i: u32) -> ApplicationInput {
    const DEST: [&str; 6] = ["NO", "FR", "US", "SA", "IN", "JP"];
    let d = DEST[i as usize % DEST.len()];
    ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            description: format!("Thermal imaging weapon sights, batch {i}"),
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
                address: "Defence procurement".into(),
                country: d.into(),
                end_user_type: Some("armed_forces".into()),
            },
            PartyInput {
                role: PartyRole::Consignee,
                name: "Central Logistics Depot".into(),
                address: "Depot road".into(),
                country: d.into(),
                end_user_type: None,
            },
        ],
        end_use_statement: "For use by the national armed forces for border patrols.".into(),
    }
}

async fn setup(ctx: &Ctx) -> Result<(Actor, Actor, String)> {
    let svc = |e: probity_service::ServiceError| anyhow::anyhow!("{e}");
    let team = orgs::create_team(ctx, None, "Licensing", TeamKind::Licensing)
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
    let pw = "benchmark password 1";
    let mk = |email: &str, role: &str, org: Option<String>, team: Option<String>| NewUser {
        email: email.into(),
        display_name: email.into(),
        role: role.into(),
        password: pw.into(),
        organisation_id: org,
        team_id: team,
    };
    let e = auth::create_user(
        ctx,
        None,
        &mk(
            "exporter@bench.test",
            "exporter",
            Some(org.to_string()),
            None,
        ),
    )
    .await
    .map_err(svc)?;
    let c = auth::create_user(
        ctx,
        None,
        &mk(
            "caseworker@bench.test",
            "caseworker",
            None,
            Some(team.to_string()),
        ),
    )
    .await
    .map_err(svc)?;
    let exporter = auth::get_user(ctx, e).await.map_err(svc)?;
    let caseworker = auth::get_user(ctx, c).await.map_err(svc)?;
    let local = probity_service::sign_in::ClientAddr(std::net::Ipv4Addr::LOCALHOST.into());
    let (session, _) = auth::login(ctx, "caseworker@bench.test", pw, local)
        .await
        .map_err(svc)?
        .complete()
        .ok_or_else(|| anyhow::anyhow!("the bench caseworker has no second factor"))?;
    Ok((exporter, caseworker, session.token))
}

const STATUSES: [&str; 6] = [
    "finalised",
    "finalised",
    "finalised",
    "submitted",
    "under_review",
    "under_final_review",
];

/// Bulk-load `n` cases with their goods, ratings, parties and destinations (multi-row INSERTs,
/// 250 cases per statement and transaction).
async fn preload(store: &Store, org: &str, user: &str, n: u32) -> Result<()> {
    let base = to_micros(time::OffsetDateTime::now_utc()) - 3 * 365 * 86_400 * 1_000_000;
    let mut i = 0u32;
    while i < n {
        let batch: Vec<u32> = (i..(i + 250).min(n)).collect();
        let mut tx = store.pool().begin().await?;
        let ids: Vec<(String, String)> = batch
            .iter()
            .map(|_| {
                (
                    uuid::Uuid::now_v7().to_string(),
                    uuid::Uuid::now_v7().to_string(),
                )
            })
            .collect();
        let values = |cols: usize, rows: usize| -> String {
            (0..rows)
                .map(|r| {
                    format!(
                        "({})",
                        (1..=cols)
                            .map(|c| format!("${}", r * cols + c))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let sql = format!("INSERT INTO cases (id, kind, reference, organisation_id, created_by, licence_type, status, draft_json, end_use_statement, end_user_type, destinations, total_value_minor, submitted_at, created_at, updated_at, outcome) VALUES {}", values(16, batch.len()));
        let mut q = sqlx::query(&sql);
        for (k, c) in batch.iter().enumerate() {
            let at = base + i64::from(*c) * 900_000_000;
            let status = STATUSES[*c as usize % STATUSES.len()];
            q = q
                .bind(ids[k].0.clone())
                .bind("application")
                .bind(format!("GBSIEL/2020/{:07}", c + 1))
                .bind(org.to_string())
                .bind(user.to_string())
                .bind("siel")
                .bind(status)
                .bind("{}")
                .bind("For use by the armed forces.")
                .bind("armed_forces")
                .bind("NO")
                .bind(35_600_000i64)
                .bind(at)
                .bind(at)
                .bind(at)
                .bind(if status == "finalised" {
                    Some("granted")
                } else {
                    None
                });
        }
        q.execute(&mut *tx).await?;
        let sql = format!("INSERT INTO goods_lines (id, case_id, position, description, quantity, unit, value_minor, currency, incorporated) VALUES {}", values(9, batch.len()));
        let mut q = sqlx::query(&sql);
        for (k, c) in batch.iter().enumerate() {
            q = q
                .bind(ids[k].1.clone())
                .bind(ids[k].0.clone())
                .bind(0i64)
                .bind(format!("Thermal sights {c}"))
                .bind(40i64)
                .bind("items")
                .bind(35_600_000i64)
                .bind("GBP")
                .bind(0i64);
        }
        q.execute(&mut *tx).await?;
        let sql = format!(
            "INSERT INTO goods_ratings (goods_line_id, position, rating) VALUES {}",
            values(3, batch.len())
        );
        let mut q = sqlx::query(&sql);
        for (k, _) in batch.iter().enumerate() {
            q = q.bind(ids[k].1.clone()).bind(0i64).bind("ML15.b");
        }
        q.execute(&mut *tx).await?;
        let sql = format!("INSERT INTO parties (id, case_id, position, role, name, address, country, end_user_type) VALUES {}", values(8, batch.len() * 2));
        let mut q = sqlx::query(&sql);
        for (k, _) in batch.iter().enumerate() {
            for (p, role) in ["end_user", "consignee"].iter().enumerate() {
                q = q
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(ids[k].0.clone())
                    .bind(p as i64)
                    .bind(*role)
                    .bind("Ministry of Defence")
                    .bind("Procurement")
                    .bind("NO")
                    .bind(if p == 0 { Some("armed_forces") } else { None });
            }
        }
        q.execute(&mut *tx).await?;
        let sql = format!(
            "INSERT INTO case_destinations (case_id, country) VALUES {}",
            values(2, batch.len())
        );
        let mut q = sqlx::query(&sql);
        for (k, _) in batch.iter().enumerate() {
            q = q.bind(ids[k].0.clone()).bind("NO");
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        i += batch.len() as u32;
    }
    Ok(())
}

/// The same rows as one submission, written with plain INSERTs in one transaction: case,
/// goods line, rating, two parties, destination and one audit row.
async fn raw_submission(store: &Store, org: &str, user: &str, i: u32) -> Result<()> {
    let now = to_micros(time::OffsetDateTime::now_utc());
    let (cid, gid) = (
        uuid::Uuid::now_v7().to_string(),
        uuid::Uuid::now_v7().to_string(),
    );
    let mut tx = store.pool().begin().await?;
    sqlx::query("INSERT INTO cases (id, kind, reference, organisation_id, created_by, licence_type, status, draft_json, end_use_statement, end_user_type, destinations, total_value_minor, submitted_at, created_at, updated_at) VALUES ($1,'application',$2,$3,$4,'siel','submitted',$5,$6,'armed_forces','NO',35600000,$7,$7,$7)")
        .bind(&cid).bind(format!("GBSIEL/2019/{:07}", i + 1)).bind(org).bind(user).bind(serde_json_like(i)).bind("For use by the national armed forces for border patrols.").bind(now)
        .execute(&mut *tx).await?;
    sqlx::query("INSERT INTO goods_lines (id, case_id, position, description, quantity, unit, value_minor, currency, incorporated) VALUES ($1,$2,0,$3,40,'items',35600000,'GBP',0)")
        .bind(&gid).bind(&cid).bind(format!("Thermal imaging weapon sights, batch {i}")).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO goods_ratings (goods_line_id, position, rating) VALUES ($1,0,'ML15.b')",
    )
    .bind(&gid)
    .execute(&mut *tx)
    .await?;
    for (p, role) in ["end_user", "consignee"].iter().enumerate() {
        sqlx::query("INSERT INTO parties (id, case_id, position, role, name, address, country, end_user_type) VALUES ($1,$2,$3,$4,'Ministry of Defence','Defence procurement','NO',NULL)")
            .bind(uuid::Uuid::now_v7().to_string()).bind(&cid).bind(p as i64).bind(*role).execute(&mut *tx).await?;
    }
    sqlx::query("INSERT INTO case_destinations (case_id, country) VALUES ($1,'NO')")
        .bind(&cid)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO audit_events (seq, at, actor_id, actor_role, action, subject_type, subject_id, detail_json, prev_hash, hash) VALUES ($1,$2,$3,'exporter','bench.raw','case',$4,'{}','x','y')")
        .bind(-(i64::from(i) + 1)).bind(now).bind(user).bind(&cid).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

fn serde_json_like(i: u32) -> String {
    format!("{{\"licence_type\":\"siel\",\"batch\":{i}}}")
}

async fn get_page(router: &axum::Router, cookie: &str, path: &str) -> Result<Duration> {
    let req = Request::get(path)
        .header(header::COOKIE, format!("probity_session={cookie}"))
        .body(Body::empty())?;
    let start = Instant::now();
    let resp = router.clone().oneshot(req).await?;
    let status = resp.status();
    let _ = resp.into_body().collect().await?;
    let took = start.elapsed();
    anyhow::ensure!(status == StatusCode::OK, "GET {path} answered {status}");
    Ok(took)
}

/// The bare SQL behind a page: its 50 rows, without the count, the session or the template.
async fn bare_sql(store: &Store, status_filter: &str, offset: i64) -> Result<Duration> {
    let start = Instant::now();
    let rows = sqlx::query(&format!("SELECT id, reference, status, updated_at FROM cases WHERE {status_filter} ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET $1"))
        .bind(offset)
        .fetch_all(store.pool())
        .await?;
    anyhow::ensure!(!rows.is_empty());
    Ok(start.elapsed())
}

pub async fn run(backend: &'static str, url: &str, cfg: &Config) -> Result<Section> {
    eprintln!("[{backend}] opening {url}");
    let store = Store::open(url).await?;
    let ctx = Ctx::new(store.clone(), CriteriaSet::uk_selc(), Clock::system());
    let (exporter, caseworker, cookie) = setup(&ctx).await?;
    let org = exporter
        .organisation_id
        .map(|o| o.to_string())
        .unwrap_or_default();
    let user = exporter.user_id.to_string();
    eprintln!("[{backend}] loading {} cases", cfg.cases);
    let t = Instant::now();
    preload(&store, &org, &user, cfg.cases).await?;
    let preload_secs = t.elapsed().as_secs_f64();
    // Interleave the two measurements in rounds so drift on a shared machine hits both alike.
    let rounds = 4;
    let per = (cfg.submissions / rounds).max(1);
    let (mut real, mut raw) = (Duration::ZERO, Duration::ZERO);
    for r in 0..rounds {
        let t = Instant::now();
        for i in 0..per {
            applications::submit_new(&ctx, &exporter, &application(r * per + i))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        real += t.elapsed();
        let t = Instant::now();
        for i in 0..per {
            raw_submission(&store, &org, &user, r * per + i).await?;
        }
        raw += t.elapsed();
    }
    let n = f64::from(per * rounds);
    let (submit_rate, raw_rate) = (n / real.as_secs_f64(), n / raw.as_secs_f64());
    eprintln!("[{backend}] submissions: {submit_rate:.0}/s real, {raw_rate:.0}/s raw");
    let router = probity_web::build_router(probity_web::AppState::new(ctx.clone()));
    let _ = caseworker;
    // The deepest page a list offers (lists count at most COUNT_CAP cases).
    let total_pages =
        (i64::from(cfg.cases + cfg.submissions).min(probity_service::cases::COUNT_CAP)) / 50;
    let mut pages = Vec::new();
    for (label, path, filter, offset) in [
        (
            "all cases, page 1",
            "/cases?queue=all".to_string(),
            "status <> 'draft'",
            0i64,
        ),
        (
            "new cases, page 1",
            "/cases?queue=new".to_string(),
            "status = 'submitted'",
            0,
        ),
        (
            "all cases, last page offered",
            format!("/cases?queue=all&page={total_pages}"),
            "status <> 'draft'",
            (total_pages - 1) * 50,
        ),
    ] {
        let mut page_samples = Vec::new();
        let mut sql_samples = Vec::new();
        for _ in 0..cfg.requests {
            page_samples.push(get_page(&router, &cookie, &path).await?);
            sql_samples.push(bare_sql(&store, filter, offset).await?);
        }
        pages.push((label.to_string(), stats(page_samples), stats(sql_samples)));
    }
    store.close().await;
    Ok(Section {
        backend,
        preload_secs,
        submit_rate,
        raw_rate,
        pages,
    })
}

pub fn report(sections: &[Section], cfg: &Config) -> String {
    let mut s = String::new();
    s.push_str("## Licensing core: submissions and case lists\n\n");
    s.push_str(&format!(
        "Command: `cargo run --release -p probity-cli --bin probity-bench -- --cases {} --submissions {} --requests {} --postgres-url <url> --write`\n\n",
        cfg.cases, cfg.submissions, cfg.requests
    ));
    s.push_str(&format!("{} cases loaded before measuring. Submissions go through `applications::submit_new` (validation, reference, normalised rows, hash-chained audit event, one transaction each, sequential); the baseline writes the same rows with plain INSERTs, one transaction per application, interleaved in rounds with the real runs. Page latency is the full HTTP handler in-process (session lookup, a count capped at 10,000 matches, the page query, template) against the bare SQL of the same 50 rows. Lists offer the first 10,000 matches; beyond that a queue narrows them.\n\n", cfg.cases));
    s.push_str("| backend | load | submitted/s | raw inserts/s (same rows) | ratio |\n|---|---:|---:|---:|---:|\n");
    for x in sections {
        s.push_str(&format!(
            "| {} | {:.1} s | {:.0} | {:.0} | {:.2} |\n",
            x.backend,
            x.preload_secs,
            x.submit_rate,
            x.raw_rate,
            x.submit_rate / x.raw_rate
        ));
    }
    s.push_str("\n| backend | case-list page | median | p95 | bare SQL median | ratio |\n|---|---|---:|---:|---:|---:|\n");
    for x in sections {
        for (label, page, sql) in &x.pages {
            s.push_str(&format!(
                "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} |\n",
                x.backend,
                label,
                page.median_ms,
                page.p95_ms,
                sql.median_ms,
                page.median_ms / sql.median_ms
            ));
        }
    }
    s
}

/// Replaces the text between `<!-- bench:{name}:begin -->` and `<!-- bench:{name}:end -->`
/// in BENCHMARKS.md (appending the block if the markers are absent).
pub fn write_benchmarks_md(name: &str, section: &str) -> Result<()> {
    let begin = format!("<!-- bench:{name}:begin -->");
    let end = format!("<!-- bench:{name}:end -->");
    let path = std::path::Path::new("BENCHMARKS.md");
    let existing = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n\nMeasured on the project's 2-core machine; every figure is a ratio against a baseline measured in the same run, because the machine is shared and noisy.\n\n".to_string());
    let block = format!("{begin}\n{section}{end}");
    let updated = match (existing.find(&begin), existing.find(&end)) {
        (Some(a), Some(b)) if b > a => {
            format!("{}{}{}", &existing[..a], block, &existing[b + end.len()..])
        }
        _ => format!("{existing}\n{block}\n"),
    };
    std::fs::write(path, updated)?;
    Ok(())
}
