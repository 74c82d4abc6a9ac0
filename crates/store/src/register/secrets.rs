//! The confidential facts of cases (exporter, parties, goods) that register entries commit
//! to. The sequencer reads them for a whole batch at once: three queries per batch, not three
//! per entry.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use crate::bulk::{in_list, rows_per_statement};
use crate::StoreError;

/// The confidential facts of a case, for commitments.
#[derive(Clone, Default)]
pub struct CaseSecrets {
    pub exporter: String,
    /// (role, name) in application order.
    pub parties: Vec<(String, String)>,
    /// (description, quantity, unit) in line order.
    pub goods: Vec<(String, i64, String)>,
}

impl std::fmt::Debug for CaseSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseSecrets { .. }")
    }
}

async fn fetch(
    conn: &mut AnyConnection,
    sql: &str,
    ids: &[&str],
) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let sql = sql.replace("{ids}", &in_list(1, ids.len()));
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// The confidential facts of every case in `case_ids` (duplicates allowed), by case id.
/// Fails if a case does not exist.
pub async fn cases_secrets(
    conn: &mut AnyConnection,
    case_ids: &[&str],
) -> Result<HashMap<String, CaseSecrets>, StoreError> {
    let mut ids: Vec<&str> = case_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out: HashMap<String, CaseSecrets> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(rows_per_statement(conn, 1)) {
        let exporters = fetch(
            conn,
            "SELECT c.id AS case_id, o.name AS exporter FROM cases c JOIN organisations o ON o.id = c.organisation_id \
             WHERE c.id IN ({ids})",
            chunk,
        )
        .await?;
        for r in &exporters {
            out.insert(
                r.try_get("case_id")?,
                CaseSecrets {
                    exporter: r.try_get("exporter")?,
                    ..CaseSecrets::default()
                },
            );
        }
        if let Some(missing) = chunk.iter().find(|id| !out.contains_key(**id)) {
            return Err(StoreError::Corrupt(format!("case {missing} not found")));
        }
        let parties = fetch(
            conn,
            "SELECT case_id, role, name FROM parties WHERE case_id IN ({ids}) \
             ORDER BY case_id, position",
            chunk,
        )
        .await?;
        for r in &parties {
            let case: String = r.try_get("case_id")?;
            if let Some(s) = out.get_mut(&case) {
                s.parties.push((r.try_get("role")?, r.try_get("name")?));
            }
        }
        let goods = fetch(
            conn,
            "SELECT case_id, description, quantity, unit FROM goods_lines \
             WHERE case_id IN ({ids}) ORDER BY case_id, position",
            chunk,
        )
        .await?;
        for r in &goods {
            let case: String = r.try_get("case_id")?;
            if let Some(s) = out.get_mut(&case) {
                s.goods.push((
                    r.try_get("description")?,
                    r.try_get("quantity")?,
                    r.try_get("unit")?,
                ));
            }
        }
    }
    Ok(out)
}
