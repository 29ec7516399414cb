// SPDX-License-Identifier: GPL-2.0

//! FAT dates and times to seconds since the epoch, exactly as the kernel's
//! C driver converts them (`fat_time_fat2unix` in `fs/fat/misc.c`),
//! including its leniency towards out-of-range fields (month or day 0
//! count as 1; months 13 to 15 add no days).

/// Seconds and nanoseconds since 1970-01-01 00:00 UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds (0..1e9).
    pub nsec: u32,
}

/// Days between 1970-01-01 and 1980-01-01 (two leap days).
const DAYS_DELTA: i64 = 365 * 10 + 2;
/// 2100 - 1980: not a leap year.
const YEAR_2100: i64 = 120;
/// Day of the year of each month's first day, in a non-leap year; indexed
/// by the month field (1..=12; 0 and 13..=15 give 0, as in the C table).
const DAYS_BEFORE_MONTH: [i64; 16] = [
    0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 0, 0, 0,
];

fn is_leap(year: i64) -> bool {
    year & 3 == 0 && year != YEAR_2100
}

/// Converts a FAT `time`/`date` pair (plus `centis`, the creation time's
/// 10 ms field) to a timestamp, `tz_offset_secs` added (the C driver's
/// `fat_tz_offset`: minutes west of UTC times 60, or `-time_offset`).
pub fn fat_to_unix(time: u16, date: u16, centis: u8, tz_offset_secs: i64) -> Timestamp {
    let year = i64::from(date >> 9);
    let month = i64::from((date >> 5) & 0xf).max(1);
    let day = i64::from(date & 0x1f).max(1) - 1;
    let mut leap_days = (year + 3) / 4;
    if year > YEAR_2100 {
        leap_days -= 1;
    }
    if is_leap(year) && month > 2 {
        leap_days += 1;
    }
    let mut sec = i64::from(time & 0x1f) << 1;
    sec += i64::from((time >> 5) & 0x3f) * 60;
    sec += i64::from(time >> 11) * 3600;
    // `month` is 1..=15, an index of the 16-entry table.
    let before_month = DAYS_BEFORE_MONTH[month as usize & 0xf];
    sec += (year * 365 + leap_days + before_month + day + DAYS_DELTA) * 86400;
    sec += tz_offset_secs;
    if centis != 0 {
        Timestamp {
            sec: sec + i64::from(centis / 100),
            nsec: u32::from(centis % 100) * 10_000_000,
        }
    } else {
        Timestamp { sec, nsec: 0 }
    }
}

/// The civil date (year, month 1..=12, day 1..=31) of `days` since
/// 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shifted to start on 0000-03-01, so that the leap day ends a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Converts a timestamp to a FAT `(time, date, centis)` triple (centis:
/// the creation time's 10 ms units, 0..=199), exactly as the C driver's
/// `fat_time_unix2fat`: local time is the timestamp minus
/// `tz_offset_secs` (see [`fat_to_unix`]); before 1980 gives 1980-01-01
/// 00:00:00, after 2107 gives 2107-12-31 23:59:58 and 199 centis.
pub fn unix_to_fat(ts: Timestamp, tz_offset_secs: i64) -> (u16, u16, u8) {
    let local = ts.sec.saturating_sub(tz_offset_secs);
    let (year, month, day) = civil_from_days(local.div_euclid(86400));
    let secs = local.rem_euclid(86400);
    if year < 1980 {
        return (0, (1 << 5) | 1, 0);
    }
    if year > 2107 {
        return (
            (23 << 11) | (59 << 5) | 29,
            (127 << 9) | (12 << 5) | 31,
            199,
        );
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let time = ((h << 11) | (m << 5) | (s >> 1)) as u16;
    let date = (((year - 1980) << 9) as u32 | (month << 5) | day) as u16;
    let centis = (ts.sec & 1) as u32 * 100 + ts.nsec.min(999_999_999) / 10_000_000;
    (time, date, centis as u8)
}

/// A modification (and change) time as FAT keeps it: 2-second
/// granularity (`fat_truncate_time`'s `FAT_UPDATE_CMTIME`).
pub fn truncate_mtime(ts: Timestamp) -> Timestamp {
    Timestamp {
        sec: ts.sec & !1,
        nsec: 0,
    }
}

/// An access time as FAT keeps it: the local day's midnight
/// (`fat_truncate_atime`; the remainder taken towards zero, as
/// `div_s64_rem`).
pub fn truncate_atime(ts: Timestamp, tz_offset_secs: i64) -> Timestamp {
    let local = ts.sec.saturating_sub(tz_offset_secs);
    Timestamp {
        sec: local - local % 86400 + tz_offset_secs,
        nsec: 0,
    }
}
