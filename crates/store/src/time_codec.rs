//! Times are stored as UTC microseconds since the Unix epoch (BIGINT on both backends):
//! portable, sortable and exact.
use time::OffsetDateTime;

pub fn to_micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_to_the_microsecond() {
        let t = time::macros::datetime!(2026-11-29 12:34:56.123456 UTC);
        assert_eq!(from_micros(to_micros(t)), t);
    }
}
