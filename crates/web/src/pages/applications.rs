//! The application form: plain HTML, numbered slots for goods lines and parties, buttons to
//! add a slot or save. Works without JavaScript. The same form shows one section of the task
//! list (`section`), or the whole application on one page for those who prefer it.
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{
    ApplicationInput, ApplicationSection, CaseId, CaseStatus, GoodsLineInput, PartyInput, PartyRole,
};
use probity_service::{application_sections, applications, cases, ServiceError};
use serde::Deserialize;

use super::path_id;
use crate::auth::{CurrentUser, SignedForm};
use crate::render::{page, Nav};
use crate::{AppError, AppState};

const MAX_SLOTS: usize = 50;

pub struct GoodsSlot {
    pub i: usize,
    pub description: String,
    pub ratings: String,
    pub quantity: String,
    pub unit: String,
    pub value: String,
    pub incorporated: bool,
    pub errors: HashMap<String, String>,
}

pub struct PartySlot {
    pub i: usize,
    pub role: String,
    pub name: String,
    pub address: String,
    pub country: String,
    pub end_user_type: String,
    pub errors: HashMap<String, String>,
}

impl GoodsSlot {
    pub fn err(&self, f: &str) -> Option<&String> {
        self.errors.get(f)
    }
}

impl PartySlot {
    pub fn err(&self, f: &str) -> Option<&String> {
        self.errors.get(f)
    }
}

#[derive(Template)]
#[template(path = "application_form.html")]
pub(super) struct FormPage {
    nav: Nav,
    /// The one section shown (the task list's page for it), or `None` for the whole form.
    pub(super) section: Option<ApplicationSection>,
    action: String,
    licence_type: String,
    end_use_statement: String,
    goods: Vec<GoodsSlot>,
    parties: Vec<PartySlot>,
    summary: Summary,
    general: HashMap<String, String>,
    pub(super) notice: Option<String>,
    countries: Vec<(String, String)>,
}

impl FormPage {
    fn err(&self, f: &str) -> Option<&String> {
        self.general.get(f)
    }

    /// Put each problem by its field and in the error summary.
    pub(super) fn show_errors(&mut self, errors: &[probity_domain::FieldError]) {
        let (general, summary) = attach_errors(errors, &mut self.goods, &mut self.parties);
        self.general = general;
        self.summary = summary;
    }

    /// Whether the page shows the part of the form for `section`.
    fn shows(&self, section: &str) -> bool {
        self.section.is_none_or(|s| s.as_str() == section)
    }

    fn title(&self) -> &'static str {
        self.section
            .map_or("Apply for an export licence", ApplicationSection::title)
    }

    /// The task list of the draft being edited (`/applications/{id}` → its task list).
    fn task_list(&self) -> Option<String> {
        let id = self.action.strip_prefix("/applications/")?;
        Some(format!("/applications/{id}/edit"))
    }
}

fn countries() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = probity_domain::all_countries()
        .map(|(c, n)| (c.as_str().to_string(), n.to_string()))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

fn slots_from_input(
    input: &ApplicationInput,
    extra_goods: usize,
    extra_parties: usize,
) -> (Vec<GoodsSlot>, Vec<PartySlot>) {
    let mut goods: Vec<GoodsSlot> = input
        .goods
        .iter()
        .enumerate()
        .map(|(i, g)| GoodsSlot {
            i,
            description: g.description.clone(),
            ratings: g.ratings.join(", "),
            quantity: g.quantity.clone(),
            unit: g.unit.clone(),
            value: g.value.clone(),
            incorporated: g.incorporated,
            errors: HashMap::new(),
        })
        .collect();
    let want = (goods.len() + extra_goods).clamp(1, MAX_SLOTS);
    while goods.len() < want {
        goods.push(GoodsSlot {
            i: goods.len(),
            description: String::new(),
            ratings: String::new(),
            quantity: String::new(),
            unit: "items".into(),
            value: String::new(),
            incorporated: false,
            errors: HashMap::new(),
        });
    }
    let mut parties: Vec<PartySlot> = input
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| PartySlot {
            i,
            role: p.role.as_str().to_string(),
            name: p.name.clone(),
            address: p.address.clone(),
            country: p.country.clone(),
            end_user_type: p.end_user_type.clone().unwrap_or_default(),
            errors: HashMap::new(),
        })
        .collect();
    if parties.is_empty() {
        for role in ["end_user", "consignee"] {
            parties.push(PartySlot {
                i: parties.len(),
                role: role.into(),
                name: String::new(),
                address: String::new(),
                country: String::new(),
                end_user_type: String::new(),
                errors: HashMap::new(),
            });
        }
    }
    for _ in 0..extra_parties {
        if parties.len() < MAX_SLOTS {
            parties.push(PartySlot {
                i: parties.len(),
                role: "ultimate_end_user".into(),
                name: String::new(),
                address: String::new(),
                country: String::new(),
                end_user_type: String::new(),
                errors: HashMap::new(),
            });
        }
    }
    (goods, parties)
}

/// Read the numbered form fields into an application input, dropping slots left blank.
/// Returns the input, the slots each kept goods line and party came from, and the party
/// slots whose role was not one of ours (only a tampered form sends those).
fn input_from_fields(
    fields: &[(String, String)],
) -> (ApplicationInput, Vec<usize>, Vec<usize>, Vec<usize>) {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let count = |k: &str| get(k).parse::<usize>().unwrap_or(0).min(MAX_SLOTS);
    let mut input = ApplicationInput {
        licence_type: get("licence_type"),
        end_use_statement: get("end_use_statement"),
        ..Default::default()
    };
    let mut goods_slots = Vec::new();
    for i in 0..count("goods_count") {
        let line = GoodsLineInput {
            description: get(&format!("g{i}_description")),
            ratings: get(&format!("g{i}_ratings"))
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            quantity: get(&format!("g{i}_quantity")),
            unit: get(&format!("g{i}_unit")),
            value: get(&format!("g{i}_value")),
            incorporated: !get(&format!("g{i}_incorporated")).is_empty(),
        };
        if line.description.is_empty()
            && line.ratings.is_empty()
            && line.quantity.is_empty()
            && line.value.is_empty()
        {
            continue;
        }
        input.goods.push(line);
        goods_slots.push(i);
    }
    let mut party_slots = Vec::new();
    let mut bad_roles = Vec::new();
    for i in 0..count("party_count") {
        let (name, address, country) = (
            get(&format!("p{i}_name")),
            get(&format!("p{i}_address")),
            get(&format!("p{i}_country")),
        );
        // A slot left blank is dropped whatever its role says.
        if name.is_empty() && address.is_empty() && country.is_empty() {
            continue;
        }
        let Ok(role) = get(&format!("p{i}_role")).parse::<PartyRole>() else {
            bad_roles.push(i);
            continue;
        };
        let party = PartyInput {
            role,
            name,
            address,
            country,
            end_user_type: Some(get(&format!("p{i}_end_user_type"))).filter(|s| !s.is_empty()),
        };
        input.parties.push(party);
        party_slots.push(i);
    }
    (input, goods_slots, party_slots, bad_roles)
}

/// The error summary: (anchor, label, field) per error.
type Summary = Vec<(String, String, String)>;

/// Put each validation error next to the field it names.
fn attach_errors(
    errors: &[probity_domain::FieldError],
    goods: &mut [GoodsSlot],
    parties: &mut [PartySlot],
) -> (HashMap<String, String>, Summary) {
    let mut general = HashMap::new();
    let mut summary = Vec::new();
    for e in errors {
        // e.g. "goods[0].ratings[1]" -> ("goods", 0, "ratings")
        let parsed = e.field.split_once('[').and_then(|(list, rest)| {
            let (idx, tail) = rest.split_once(']')?;
            let field = tail
                .trim_start_matches('.')
                .split('[')
                .next()
                .unwrap_or("")
                .to_string();
            Some((list.to_string(), idx.parse::<usize>().ok()?, field))
        });
        let (anchor, label) = match parsed {
            Some((list, idx, field)) if list == "goods" => {
                let slot = idx;
                if let Some(g) = goods.iter_mut().find(|g| g.i == slot) {
                    g.errors
                        .entry(field.clone())
                        .or_insert_with(|| e.message.clone());
                }
                (
                    format!("g{slot}_{field}"),
                    format!("Goods line {}: {}", slot + 1, e.message),
                )
            }
            Some((list, idx, field)) if list == "parties" => {
                let slot = idx;
                if let Some(p) = parties.iter_mut().find(|p| p.i == slot) {
                    p.errors
                        .entry(field.clone())
                        .or_insert_with(|| e.message.clone());
                }
                (
                    format!("p{slot}_{field}"),
                    format!("Party {}: {}", slot + 1, e.message),
                )
            }
            _ => {
                general
                    .entry(e.field.clone())
                    .or_insert_with(|| e.message.clone());
                (e.field.clone(), e.message.clone())
            }
        };
        summary.push((anchor, label, e.field.clone()));
    }
    (general, summary)
}

pub(super) fn form_page(
    user: &CurrentUser,
    action: String,
    input: &ApplicationInput,
    extra_goods: usize,
    extra_parties: usize,
) -> FormPage {
    let (goods, parties) = slots_from_input(input, extra_goods, extra_parties);
    FormPage {
        nav: Nav::for_user(Some(user)),
        section: None,
        action,
        // Nothing is chosen for the exporter: the type is theirs to pick.
        licence_type: input.licence_type.clone(),
        end_use_statement: input.end_use_statement.clone(),
        goods,
        parties,
        summary: Vec::new(),
        general: HashMap::new(),
        notice: None,
        countries: countries(),
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    /// `1`: the whole application on one page rather than the task list.
    whole: Option<String>,
    /// The section just saved (the task list says so).
    saved: Option<String>,
}

pub async fn new_form(
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Result<Response, AppError> {
    user.actor
        .require(
            &[probity_service::auth::Role::Exporter],
            "apply for licences",
        )
        .map_err(AppError::from)?;
    if q.whole.is_none() {
        return super::application_tasks::start_page(&user, "", Vec::new(), StatusCode::OK);
    }
    page(form_page(
        &user,
        "/applications".into(),
        &ApplicationInput::default(),
        0,
        0,
    ))
}

/// A draft's task list, or (`?whole=1`) the whole application on one page.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let case = cases::get_case(&state.ctx, &user.actor, id).await?;
    if case.status != CaseStatus::Draft || user.actor.role != probity_service::auth::Role::Exporter
    {
        return Ok(Redirect::to(&format!("/cases/{id}")).into_response());
    }
    if q.whole.is_none() {
        let notice = q
            .saved
            .and_then(|s| s.parse::<ApplicationSection>().ok())
            .map(|s| format!("{} saved.", s.title()));
        return super::application_tasks::task_list(&state, &user, id, notice).await;
    }
    page(form_page(
        &user,
        format!("/applications/{id}"),
        &case.draft,
        0,
        0,
    ))
}

#[derive(Deserialize)]
pub struct Ignored {}

pub async fn create(
    State(state): State<AppState>,
    form: SignedForm<Ignored>,
) -> Result<Response, AppError> {
    handle(state, form, None).await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<Ignored>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    handle(state, form, Some(id)).await
}

async fn handle(
    state: AppState,
    form: SignedForm<Ignored>,
    id: Option<CaseId>,
) -> Result<Response, AppError> {
    let SignedForm { user, fields, .. } = form;
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let button = field("action").unwrap_or("save");
    if id.is_none() && button == "start" {
        let licence_type = field("licence_type").unwrap_or_default();
        return super::application_tasks::start(&state, &user, licence_type).await;
    }
    let (input, _, _, bad_roles) = input_from_fields(&fields);
    if let Some(slot) = bad_roles.first() {
        return Err(AppError::BadRequest(format!(
            "party {} has an unknown role",
            slot + 1
        )));
    }
    if let (Some(id), Some(section)) = (id, field("section")) {
        let section = section
            .parse::<ApplicationSection>()
            .ok()
            .filter(|s| s.is_answered_in_form())
            .ok_or_else(|| AppError::BadRequest(format!("unknown section {section:?}")))?;
        let next = super::application_tasks::SectionPost {
            id,
            section,
            input: &input,
            button,
        };
        return super::application_tasks::save_section(&state, &user, next).await;
    }
    let (extra_goods, extra_parties) = match button {
        "add_goods" => (1, 0),
        "add_party" => (0, 1),
        _ => (0, 0),
    };
    let saved = applications::save_draft(&state.ctx, &user.actor, id, &input).await;
    let result = match (saved, button) {
        // Submitting goes through the check of every answer and the declaration.
        (Ok(case_id), "submit") => {
            match application_sections::check(&state.ctx, &user.actor, case_id).await {
                Ok(_) => {
                    let to = format!("/applications/{case_id}/check");
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => Err((Some(case_id), e)),
            }
        }
        (Ok(case_id), "save") => {
            return Ok(Redirect::to(&format!("/cases/{case_id}?saved=1")).into_response())
        }
        (Ok(case_id), _) => Ok(case_id),
        (Err(e), _) => Err((id, e)),
    };
    match result {
        Ok(case_id) => {
            // Added a slot: show the saved draft again with one more blank row.
            let mut p = form_page(
                &user,
                format!("/applications/{case_id}"),
                &input,
                extra_goods,
                extra_parties,
            );
            p.notice = Some("Draft saved.".into());
            page(p)
        }
        Err((case_id, ServiceError::Validation(v))) => {
            let action = case_id
                .map(|c| format!("/applications/{c}"))
                .unwrap_or_else(|| "/applications".into());
            let mut p = form_page(&user, action, &input, 0, 0);
            // Blank slots were dropped, so error indexes are the indexes of the slots shown.
            p.show_errors(&v.0);
            if case_id.is_some() && button == "submit" {
                p.notice = Some(
                    "Your draft was saved, but it cannot be submitted until these are put right."
                        .into(),
                );
            }
            let mut resp = page(p)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err((_, e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn blank_slots_are_dropped_and_ratings_split() {
        let (input, goods, parties, bad) = input_from_fields(&f(&[
            ("licence_type", "siel"),
            ("goods_count", "3"),
            ("g0_description", "Rifle scopes"),
            ("g0_ratings", "ML5, 6A004;ML1a"),
            ("g1_description", ""),
            ("g2_description", "Night sights"),
            ("g2_value", "10"),
            ("party_count", "2"),
            ("p1_role", "end_user"),
            ("p1_name", "Ministry of Defence"),
            ("p1_country", "NO"),
        ]));
        assert_eq!(input.goods.len(), 2);
        assert_eq!(input.goods[0].ratings, vec!["ML5", "6A004", "ML1a"]);
        assert_eq!(goods, vec![0, 2]);
        assert_eq!(parties, vec![1]);
        assert!(bad.is_empty());
        assert_eq!(input.parties[0].country, "NO");
    }

    #[test]
    fn slot_counts_are_capped() {
        let (input, _, _, _) = input_from_fields(&f(&[("goods_count", "100000")]));
        assert!(input.goods.is_empty());
    }
}
