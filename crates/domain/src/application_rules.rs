//! The validation rules behind `validate` and `validate_draft`. One pass serves both modes:
//! in `Draft` mode an absent value is fine, a present but malformed one is still an error.

use crate::application::{
    parse_value, Application, ApplicationInput, EndUserType, GoodsLine, GoodsLineInput, Mode,
    Party, PartyInput, PartyRole, ValidationErrors, MAX_GOODS_LINES, MAX_PARTIES, MAX_QUANTITY,
    MAX_RATINGS_PER_LINE,
};
use crate::case::LicenceType;
use crate::control_list::{ControlList, Rating};
use crate::country::{CountryCode, CountryError};
use crate::money::Money;
use crate::text::{application_text as text, check_text, TextError, TextRule};

/// A goods line after checking; fields are `None` where absent (drafts) or invalid.
struct CheckedLine {
    description: String,
    ratings: Vec<Rating>,
    quantity: Option<u64>,
    quantity_text: String,
    unit: String,
    value: Option<Money>,
    value_text: String,
    incorporated: bool,
}

struct CheckedParty {
    role: PartyRole,
    name: String,
    address: String,
    country: Option<CountryCode>,
    end_user_type: Option<EndUserType>,
}

struct Checker<'a> {
    mode: Mode,
    list: &'a ControlList,
    errors: ValidationErrors,
}

pub(crate) fn validate_complete(
    input: &ApplicationInput,
    list: &ControlList,
) -> Result<Application, ValidationErrors> {
    let mut c = Checker {
        mode: Mode::Complete,
        list,
        errors: ValidationErrors::default(),
    };
    let licence_type = c.licence_type(&input.licence_type);
    let goods = c.goods(&input.goods, licence_type);
    let parties = c.parties(&input.parties, licence_type);
    let statement = c.text(
        &input.end_use_statement,
        "end_use_statement",
        "end-use statement",
        text::END_USE_STATEMENT,
    );
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    // With no errors every checked value is present; the `?`s only keep this total.
    let incomplete = || ValidationErrors(Vec::new());
    let goods = goods
        .into_iter()
        .map(|g| {
            Some(GoodsLine {
                description: g.description,
                ratings: g.ratings,
                quantity: g.quantity?,
                unit: g.unit,
                value: g.value?,
                incorporated: g.incorporated,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(incomplete)?;
    let parties = parties
        .into_iter()
        .map(|p| {
            Some(Party {
                role: p.role,
                name: p.name,
                address: p.address,
                country: p.country?,
                end_user_type: p.end_user_type,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(incomplete)?;
    Ok(Application {
        licence_type: licence_type.ok_or_else(incomplete)?,
        goods,
        parties,
        end_use_statement: statement,
    })
}

pub(crate) fn validate_draft(
    input: &ApplicationInput,
    list: &ControlList,
) -> Result<ApplicationInput, ValidationErrors> {
    let mut c = Checker {
        mode: Mode::Draft,
        list,
        errors: ValidationErrors::default(),
    };
    let licence_type = c.licence_type(&input.licence_type);
    let goods = c.goods(&input.goods, licence_type);
    let parties = c.parties(&input.parties, licence_type);
    let statement = c.text(
        &input.end_use_statement,
        "end_use_statement",
        "end-use statement",
        text::END_USE_STATEMENT,
    );
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(ApplicationInput {
        licence_type: licence_type.map_or_else(String::new, |t| t.as_str().to_string()),
        goods: goods
            .into_iter()
            .map(|g| GoodsLineInput {
                description: g.description,
                ratings: g.ratings.into_iter().map(String::from).collect(),
                quantity: g.quantity_text,
                unit: g.unit,
                value: g.value_text,
                incorporated: g.incorporated,
            })
            .collect(),
        parties: parties
            .into_iter()
            .map(|p| PartyInput {
                role: p.role,
                name: p.name,
                address: p.address,
                country: p.country.map_or_else(String::new, |c| c.to_string()),
                end_user_type: p.end_user_type.map(|t| t.as_str().to_string()),
            })
            .collect(),
        end_use_statement: statement,
    })
}

impl Checker<'_> {
    fn complete(&self) -> bool {
        self.mode == Mode::Complete
    }

    fn licence_type(&mut self, text: &str) -> Option<LicenceType> {
        let text = text.trim();
        if text.is_empty() {
            if self.complete() {
                self.errors.push("licence_type", "choose a licence type");
            }
            return None;
        }
        match text.parse::<LicenceType>() {
            Ok(t) => Some(t),
            Err(_) => {
                self.errors.push(
                    "licence_type",
                    "choose a standard (siel) or open (oiel) licence",
                );
                None
            }
        }
    }

    /// Trimmed text checked against its rule; drafts enforce everything but the minimum.
    fn text(&mut self, value: &str, field: &str, what: &str, rule: TextRule) -> String {
        let rule = if self.complete() {
            rule
        } else {
            rule.without_min()
        };
        match check_text(value, rule) {
            Ok(text) => text.to_string(),
            Err(e) => {
                let message = match e {
                    TextError::Empty => format!("enter the {what}"),
                    TextError::TooShort { min, .. } => {
                        format!("the {what} must be at least {min} characters")
                    }
                    TextError::TooLong { max, .. } => {
                        format!("the {what} must be at most {max} characters")
                    }
                    other => format!("the {what}: {other}"),
                };
                self.errors.push(field, message);
                value.trim().to_string()
            }
        }
    }

    fn goods(
        &mut self,
        lines: &[GoodsLineInput],
        licence_type: Option<LicenceType>,
    ) -> Vec<CheckedLine> {
        if lines.is_empty() && self.complete() {
            self.errors.push("goods", "add at least one line of goods");
        }
        if lines.len() > MAX_GOODS_LINES {
            self.errors.push(
                "goods",
                format!("an application can have at most {MAX_GOODS_LINES} lines of goods"),
            );
        }
        lines
            .iter()
            .enumerate()
            .map(|(i, line)| self.goods_line(i, line, licence_type))
            .collect()
    }

    fn goods_line(
        &mut self,
        i: usize,
        line: &GoodsLineInput,
        licence_type: Option<LicenceType>,
    ) -> CheckedLine {
        let at = |f: &str| format!("goods[{i}].{f}");
        let description = self.text(
            &line.description,
            &at("description"),
            "description",
            text::DESCRIPTION,
        );
        let ratings = self.ratings(i, &line.ratings);
        let (quantity, quantity_text) = self.quantity(&at("quantity"), &line.quantity);
        let unit = self.text(&line.unit, &at("unit"), "unit", text::UNIT);
        let value_text = line.value.trim().to_string();
        let value = self.value(&at("value"), &value_text, licence_type);
        CheckedLine {
            description,
            ratings,
            quantity,
            quantity_text,
            unit,
            value,
            value_text,
            incorporated: line.incorporated,
        }
    }

    fn ratings(&mut self, line: usize, inputs: &[String]) -> Vec<Rating> {
        let mut ratings: Vec<Rating> = Vec::new();
        // Blank entries are ignored: forms send empty rating boxes.
        let present = inputs
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.trim().is_empty());
        for (j, input) in present {
            let field = format!("goods[{line}].ratings[{j}]");
            match self.list.rating(input) {
                Ok(r) if ratings.contains(&r) => {
                    self.errors
                        .push(field, format!("{r} is already listed on this line"));
                }
                Ok(r) => ratings.push(r),
                Err(e) => self.errors.push(field, e.to_string()),
            }
        }
        let count = inputs.iter().filter(|r| !r.trim().is_empty()).count();
        if count == 0 && self.complete() {
            self.errors.push(
                format!("goods[{line}].ratings"),
                "give at least one control-list rating",
            );
        } else if count > MAX_RATINGS_PER_LINE {
            self.errors.push(
                format!("goods[{line}].ratings"),
                format!("a line of goods can have at most {MAX_RATINGS_PER_LINE} ratings"),
            );
        }
        ratings
    }

    fn quantity(&mut self, field: &str, text: &str) -> (Option<u64>, String) {
        let text = text.trim();
        if text.is_empty() {
            if self.complete() {
                self.errors.push(field, "enter a quantity");
            }
            return (None, String::new());
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            self.errors
                .push(field, "enter the quantity as a whole number, such as 12");
            return (None, text.to_string());
        }
        match text.parse::<u64>() {
            Ok(0) => self.errors.push(field, "the quantity must be at least 1"),
            Ok(n) if n <= MAX_QUANTITY => return (Some(n), n.to_string()),
            _ => self
                .errors
                .push(field, "the quantity must be at most 1,000,000,000"),
        }
        (None, text.to_string())
    }

    fn value(
        &mut self,
        field: &str,
        text: &str,
        licence_type: Option<LicenceType>,
    ) -> Option<Money> {
        let required = licence_type != Some(LicenceType::OpenIndividual);
        if text.is_empty() {
            return match (self.mode, licence_type) {
                (Mode::Draft, _) => None,
                // An open licence may have no value limit.
                (Mode::Complete, Some(LicenceType::OpenIndividual)) => Some(Money::gbp(0)),
                (Mode::Complete, _) => {
                    self.errors.push(field, "enter the value of the goods");
                    None
                }
            };
        }
        match parse_value(text) {
            Ok(m) if m.minor == 0 && required && licence_type.is_some() => {
                self.errors.push(field, "the value must be more than zero");
                None
            }
            Ok(m) => Some(m),
            Err(message) => {
                self.errors.push(field, message);
                None
            }
        }
    }

    fn parties(
        &mut self,
        inputs: &[PartyInput],
        licence_type: Option<LicenceType>,
    ) -> Vec<CheckedParty> {
        if inputs.len() > MAX_PARTIES {
            self.errors.push(
                "parties",
                format!("an application can have at most {MAX_PARTIES} parties"),
            );
        }
        let parties: Vec<CheckedParty> = inputs
            .iter()
            .enumerate()
            .map(|(i, p)| self.party(i, p))
            .collect();
        if self.complete() {
            self.party_structure(&parties, licence_type);
        }
        parties
    }

    fn party(&mut self, i: usize, p: &PartyInput) -> CheckedParty {
        let at = |f: &str| format!("parties[{i}].{f}");
        let name = self.text(&p.name, &at("name"), "name", text::PARTY_NAME);
        // A name of punctuation only cannot be screened against the sanctions lists.
        if !name.is_empty() && !name.chars().any(char::is_alphanumeric) {
            self.errors.push(
                at("name"),
                "the name must contain letters or digits: it is screened against sanctions lists",
            );
        }
        let address = self.text(&p.address, &at("address"), "address", text::PARTY_ADDRESS);
        let country = self.country(&at("country"), &p.country);
        let type_text = p
            .end_user_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let end_user_type = match (p.role, type_text) {
            (PartyRole::EndUser, None) => {
                if self.complete() {
                    self.errors
                        .push(at("end_user_type"), "choose the type of end user");
                }
                None
            }
            (PartyRole::EndUser, Some(t)) => {
                let parsed = EndUserType::parse(t);
                if parsed.is_none() {
                    self.errors.push(
                        at("end_user_type"),
                        "choose government, armed forces, commercial, individual or other",
                    );
                }
                parsed
            }
            (_, Some(_)) => {
                self.errors.push(
                    at("end_user_type"),
                    "only the end user has an end-user type",
                );
                None
            }
            (_, None) => None,
        };
        CheckedParty {
            role: p.role,
            name,
            address,
            country,
            end_user_type,
        }
    }

    fn country(&mut self, field: &str, text: &str) -> Option<CountryCode> {
        if text.trim().is_empty() {
            if self.complete() {
                self.errors.push(field, "enter the country");
            }
            return None;
        }
        match CountryCode::parse(text) {
            Ok(c) => Some(c),
            Err(CountryError::Unknown(code)) => {
                let hint = if code == "UK" {
                    " (use GB for the United Kingdom)"
                } else {
                    ""
                };
                self.errors.push(
                    field,
                    format!("{code} is not an ISO 3166-1 country code{hint}"),
                );
                None
            }
            Err(CountryError::Malformed(_)) => {
                self.errors
                    .push(field, "enter a two-letter ISO country code, such as FR");
                None
            }
        }
    }

    /// Rules across parties: one end user; for a SIEL one consignee and one destination.
    fn party_structure(&mut self, parties: &[CheckedParty], licence_type: Option<LicenceType>) {
        let count = |role| parties.iter().filter(|p| p.role == role).count();
        match count(PartyRole::EndUser) {
            0 => self.errors.push("parties", "add the end user"),
            1 => {}
            n => self.errors.push(
                "parties",
                format!("an application has exactly one end user, not {n}"),
            ),
        }
        if licence_type != Some(LicenceType::StandardIndividual) {
            return;
        }
        let consignees = count(PartyRole::Consignee);
        if consignees != 1 {
            self.errors.push(
                "parties",
                format!("a standard licence needs exactly one consignee, not {consignees}"),
            );
        }
        let Some(destination) = parties
            .iter()
            .find(|p| p.role == PartyRole::EndUser)
            .and_then(|p| p.country)
        else {
            return;
        };
        for (i, p) in parties.iter().enumerate() {
            let bound = matches!(p.role, PartyRole::Consignee | PartyRole::UltimateEndUser);
            if bound && p.country.is_some_and(|c| c != destination) {
                self.errors.push(
                    format!("parties[{i}].country"),
                    format!(
                        "a standard licence has one destination: the {} must be in {} ({destination}), like the end user",
                        p.role.label().to_lowercase(),
                        destination.name()
                    ),
                );
            }
        }
    }
}
