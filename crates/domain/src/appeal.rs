//! Appeals: who may appeal what, and until when. Within 28 days of a refusal the exporter may
//! appeal once; the appeal is a new case, and its own outcome cannot be appealed.

use time::OffsetDateTime;

use crate::case::{CaseKind, CaseStatus};

pub const APPEAL_WINDOW_DAYS: i64 = 28;

/// The last moment to appeal a refusal decided at `refused_at`: the end (UTC) of the day the
/// refusal notice names, 28 days on, so an appeal made on that day is accepted.
pub fn appeal_deadline(refused_at: OffsetDateTime) -> OffsetDateTime {
    let last_day = (refused_at + time::Duration::days(APPEAL_WINDOW_DAYS))
        .to_offset(time::UtcOffset::UTC)
        .date();
    OffsetDateTime::new_utc(last_day, time::macros::time!(23:59:59.999_999))
}

/// What appeal eligibility depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealFacts {
    pub kind: CaseKind,
    pub status: CaseStatus,
    /// The case was finalised as a refusal.
    pub refused: bool,
    pub finalised_at: Option<OffsetDateTime>,
    /// An appeal against this case already exists.
    pub already_appealed: bool,
}

/// Why a case cannot be appealed, as a sentence the exporter can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAppealable {
    #[error("only a refused application can be appealed")]
    NotRefused,
    #[error("a dismissed appeal cannot itself be appealed")]
    IsAppeal,
    #[error("the refusal has no date")]
    Undated,
    #[error("the {APPEAL_WINDOW_DAYS}-day appeal window closed at the end of {}", .deadline.date())]
    WindowClosed { deadline: OffsetDateTime },
    #[error("this refusal has already been appealed")]
    AlreadyAppealed,
}

/// May the case be appealed at `now`? The checks run in the order the exporter would want to
/// hear them: what was decided, then the deadline, then an earlier appeal.
pub fn check_appeal(facts: &AppealFacts, now: OffsetDateTime) -> Result<(), NotAppealable> {
    if facts.status != CaseStatus::Finalised || !facts.refused {
        return Err(NotAppealable::NotRefused);
    }
    if facts.kind == CaseKind::Appeal {
        return Err(NotAppealable::IsAppeal);
    }
    let deadline = appeal_deadline(facts.finalised_at.ok_or(NotAppealable::Undated)?);
    if now > deadline {
        return Err(NotAppealable::WindowClosed { deadline });
    }
    if facts.already_appealed {
        return Err(NotAppealable::AlreadyAppealed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn refused_at(t: OffsetDateTime) -> AppealFacts {
        AppealFacts {
            kind: CaseKind::Application,
            status: CaseStatus::Finalised,
            refused: true,
            finalised_at: Some(t),
            already_appealed: false,
        }
    }

    #[test]
    fn the_window_closes_at_the_end_of_the_28th_day() {
        let refused = datetime!(2026-03-02 15:30 UTC);
        let facts = refused_at(refused);
        assert_eq!(
            appeal_deadline(refused),
            datetime!(2026-03-30 23:59:59.999_999 UTC)
        );
        assert_eq!(check_appeal(&facts, refused), Ok(()));
        assert_eq!(
            check_appeal(&facts, datetime!(2026-03-30 23:59:59 UTC)),
            Ok(())
        );
        let late = check_appeal(&facts, datetime!(2026-03-31 00:00 UTC)).unwrap_err();
        assert_eq!(
            late.to_string(),
            "the 28-day appeal window closed at the end of 2026-03-30"
        );
    }

    #[test]
    fn only_a_refused_application_is_appealed_once() {
        let now = datetime!(2026-03-03 09:00 UTC);
        let ok = refused_at(datetime!(2026-03-02 09:00 UTC));
        let cases = [
            (ok, Ok(())),
            (
                AppealFacts {
                    refused: false,
                    ..ok
                },
                Err(NotAppealable::NotRefused),
            ),
            (
                AppealFacts {
                    status: CaseStatus::UnderReview,
                    ..ok
                },
                Err(NotAppealable::NotRefused),
            ),
            (
                AppealFacts {
                    kind: CaseKind::Appeal,
                    ..ok
                },
                Err(NotAppealable::IsAppeal),
            ),
            (
                AppealFacts {
                    finalised_at: None,
                    ..ok
                },
                Err(NotAppealable::Undated),
            ),
            (
                AppealFacts {
                    already_appealed: true,
                    ..ok
                },
                Err(NotAppealable::AlreadyAppealed),
            ),
        ];
        for (facts, want) in cases {
            assert_eq!(check_appeal(&facts, now), want, "{facts:?}");
        }
    }
}
