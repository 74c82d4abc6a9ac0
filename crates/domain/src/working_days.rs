//! Working days for deadlines: Monday to Friday, less the bank holidays of England and Wales.
//! The holidays are data (GOV.UK's published list, <https://www.gov.uk/bank-holidays>,
//! 2024–2028, substitute days included); past the last listed year only weekends are skipped,
//! which a test flags so the list is extended in time.
use time::{Date, Duration, Month, Weekday};

/// England and Wales bank holidays, (year, month, day), in order.
const BANK_HOLIDAYS: &[(i32, u8, u8)] = &[
    (2024, 1, 1),
    (2024, 3, 29),
    (2024, 4, 1),
    (2024, 5, 6),
    (2024, 5, 27),
    (2024, 8, 26),
    (2024, 12, 25),
    (2024, 12, 26),
    (2025, 1, 1),
    (2025, 4, 18),
    (2025, 4, 21),
    (2025, 5, 5),
    (2025, 5, 26),
    (2025, 8, 25),
    (2025, 12, 25),
    (2025, 12, 26),
    (2026, 1, 1),
    (2026, 4, 3),
    (2026, 4, 6),
    (2026, 5, 4),
    (2026, 5, 25),
    (2026, 8, 31),
    (2026, 12, 25),
    (2026, 12, 28),
    (2027, 1, 1),
    (2027, 3, 26),
    (2027, 3, 29),
    (2027, 5, 3),
    (2027, 5, 31),
    (2027, 8, 30),
    (2027, 12, 27),
    (2027, 12, 28),
    (2028, 1, 3),
    (2028, 4, 14),
    (2028, 4, 17),
    (2028, 5, 1),
    (2028, 5, 29),
    (2028, 8, 28),
    (2028, 12, 25),
    (2028, 12, 26),
];

/// The last year the list covers.
pub const BANK_HOLIDAYS_UNTIL: i32 = 2028;

fn date(y: i32, m: u8, d: u8) -> Date {
    let month = Month::try_from(m).expect("the table holds months 1 to 12");
    Date::from_calendar_date(y, month, d).expect("the table holds real dates")
}

/// Whether `d` is a bank holiday in England and Wales (as far as the list goes).
pub fn is_bank_holiday(d: Date) -> bool {
    BANK_HOLIDAYS
        .iter()
        .any(|&(y, m, day)| date(y, m, day) == d)
}

/// Whether people are at work on `d`.
pub fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_bank_holiday(d)
}

/// The day `n` working days after `from` (not counting `from` itself): a dissent filed on a
/// Friday with 1 working day is due on Monday (Tuesday when Monday is a bank holiday).
pub fn add_working_days(from: Date, n: u32) -> Date {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_list_is_in_order_and_every_holiday_is_a_weekday() {
        for pair in BANK_HOLIDAYS.windows(2) {
            assert!(date(pair[0].0, pair[0].1, pair[0].2) < date(pair[1].0, pair[1].1, pair[1].2));
        }
        for &(y, m, d) in BANK_HOLIDAYS {
            let day = date(y, m, d);
            assert!(
                !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday),
                "{day} falls on a weekend: list the substitute day"
            );
        }
        // Eight a year, every year listed.
        for y in 2024..=BANK_HOLIDAYS_UNTIL {
            assert_eq!(BANK_HOLIDAYS.iter().filter(|h| h.0 == y).count(), 8, "{y}");
        }
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        // Friday + 1 = Monday.
        assert_eq!(
            add_working_days(date!(2026 - 03 - 06), 1),
            date!(2026 - 03 - 09)
        );
        // Ten working days from Monday 2 March 2026: Monday 16 March.
        assert_eq!(
            add_working_days(date!(2026 - 03 - 02), 10),
            date!(2026 - 03 - 16)
        );
        // Across Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
        assert_eq!(
            add_working_days(date!(2026 - 04 - 02), 1),
            date!(2026 - 04 - 07)
        );
        // Across Christmas 2026 (Boxing Day's substitute on Monday 28 December).
        assert_eq!(
            add_working_days(date!(2026 - 12 - 24), 1),
            date!(2026 - 12 - 29)
        );
        assert_eq!(
            add_working_days(date!(2026 - 03 - 02), 0),
            date!(2026 - 03 - 02)
        );
    }

    #[test]
    fn the_holiday_list_reaches_next_year() {
        // When this fails, add the next years from https://www.gov.uk/bank-holidays.
        let this_year = time::OffsetDateTime::now_utc().year();
        assert!(
            BANK_HOLIDAYS_UNTIL > this_year,
            "bank holidays are listed only until {BANK_HOLIDAYS_UNTIL}"
        );
    }
}
