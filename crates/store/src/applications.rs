//! An application's goods, ratings, parties and destinations, written when it is submitted.
use sqlx::AnyConnection;

use crate::StoreError;

/// A goods line to write, with its ratings in order.
pub struct NewGoodsLine<'a> {
    pub id: &'a str,
    pub description: &'a str,
    pub quantity: i64,
    pub unit: &'a str,
    pub value_minor: i64,
    pub currency: &'a str,
    pub incorporated: bool,
    pub ratings: Vec<&'a str>,
}

pub async fn insert_goods_line(
    conn: &mut AnyConnection,
    case_id: &str,
    position: i64,
    g: &NewGoodsLine<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO goods_lines (id, case_id, position, description, quantity, unit, \
         value_minor, currency, incorporated) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
    )
    .bind(g.id)
    .bind(case_id)
    .bind(position)
    .bind(g.description)
    .bind(g.quantity)
    .bind(g.unit)
    .bind(g.value_minor)
    .bind(g.currency)
    .bind(i64::from(g.incorporated))
    .execute(&mut *conn)
    .await?;
    for (j, rating) in g.ratings.iter().enumerate() {
        sqlx::query(
            "INSERT INTO goods_ratings (goods_line_id, position, rating) VALUES ($1,$2,$3)",
        )
        .bind(g.id)
        .bind(j as i64)
        .bind(*rating)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A party as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartyRow {
    pub role: String,
    pub name: String,
    pub address: String,
    pub country: String,
    pub end_user_type: Option<String>,
}

pub async fn insert_party(
    conn: &mut AnyConnection,
    id: &str,
    case_id: &str,
    position: i64,
    p: &PartyRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO parties (id, case_id, position, role, name, address, country, \
         end_user_type) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
    )
    .bind(id)
    .bind(case_id)
    .bind(position)
    .bind(&p.role)
    .bind(&p.name)
    .bind(&p.address)
    .bind(&p.country)
    .bind(&p.end_user_type)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_destination(
    conn: &mut AnyConnection,
    case_id: &str,
    country: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO case_destinations (case_id, country) VALUES ($1,$2)")
        .bind(case_id)
        .bind(country)
        .execute(conn)
        .await?;
    Ok(())
}

/// A goods line as stored (ratings read separately).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GoodsLineRow {
    pub id: String,
    pub description: String,
    pub quantity: i64,
    pub unit: String,
    pub value_minor: i64,
    pub currency: String,
    /// 1 when the goods are to be incorporated into other goods.
    pub incorporated: i64,
}

/// One rating of a goods line.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub goods_line_id: String,
    pub rating: String,
}

/// A case's goods lines in order, and every rating of them (by line, then position).
pub async fn goods(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<(Vec<GoodsLineRow>, Vec<RatingRow>), StoreError> {
    let lines = sqlx::query_as(
        "SELECT id, description, quantity, unit, value_minor, currency, incorporated \
         FROM goods_lines WHERE case_id = $1 ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let ratings = sqlx::query_as(
        "SELECT r.goods_line_id AS goods_line_id, r.rating AS rating FROM goods_ratings r \
         JOIN goods_lines g ON g.id = r.goods_line_id WHERE g.case_id = $1 \
         ORDER BY g.position, r.position",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok((lines, ratings))
}

/// A case's parties in order.
pub async fn parties(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<PartyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT role, name, address, country, end_user_type FROM parties WHERE case_id = $1 \
         ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}
