//! Screening reviews: a licence in force whose party is confirmed on a list joins the open
//! review of that listed entry and destination, or opens one.
use sqlx::AnyConnection;

use crate::reviews::{fold, CaseRatingRow, SubjectRatingRow, SubjectRow, IN_FORCE};
use crate::StoreError;

/// The licence in force on `case_id` at `now`, with its case's ratings, as a review item
/// needs it; none when the case has no licence in force.
pub async fn licence_in_force(
    conn: &mut AnyConnection,
    case_id: &str,
    now: i64,
) -> Result<Option<(SubjectRow, Vec<CaseRatingRow>)>, StoreError> {
    let rows: Vec<SubjectRatingRow> = sqlx::query_as(&format!(
        "SELECT l.id AS licence_id, l.number AS licence_number, l.status AS licence_status, \
         l.case_id, l.organisation_id, c.destinations, c.end_user_type, \
         c.end_use_statement AS end_use, r.rating \
         FROM licences l JOIN cases c ON c.id = l.case_id \
         LEFT JOIN goods_lines g ON g.case_id = l.case_id \
         LEFT JOIN goods_ratings r ON r.goods_line_id = g.id \
         WHERE l.case_id = $1 AND l.status IN {IN_FORCE} AND l.valid_until > $2"
    ))
    .bind(case_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let (mut subjects, ratings) = fold(rows, |s| s.licence_id.as_str());
    Ok(subjects.pop().map(|s| (s, ratings)))
}

/// The open screening review of this listed entry and destination, if there is one.
pub async fn open_review_of_entry(
    conn: &mut AnyConnection,
    list: &str,
    entry_id: &str,
    destination: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM reviews WHERE kind = 'screening' AND listed_list = $1 \
         AND listed_entry = $2 AND destination = $3 AND closed_at IS NULL \
         ORDER BY opened_at LIMIT 1",
    )
    .bind(list)
    .bind(entry_id)
    .bind(destination)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Whether the review already holds this licence.
pub async fn holds_licence(
    conn: &mut AnyConnection,
    review_id: &str,
    licence_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM review_items \
         WHERE review_id = $1 AND licence_id = $2",
    )
    .bind(review_id)
    .bind(licence_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The country a party gave, if any.
pub async fn party_country(
    conn: &mut AnyConnection,
    party_id: &str,
) -> Result<Option<String>, StoreError> {
    let country: Option<Option<String>> =
        sqlx::query_scalar("SELECT country FROM parties WHERE id = $1")
            .bind(party_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(country.flatten())
}
