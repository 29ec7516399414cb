// SPDX-License-Identifier: GPL-2.0

//! What a run found, in the form the report writers (text, JUnit, KCIDB,
//! KTAP files) share.

use std::time::{
    SystemTime,
    UNIX_EPOCH, //
};

/// The status of one verdict, as KCIDB names them.
///
/// The text report only knows ok/FAILED: `Skip` counts as ok there (as it
/// always has), `Error` as FAILED. The machine-readable reports keep the
/// difference, because "the code is broken" (`Fail`) and "we could not
/// tell" (`Error`) call for different next steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The test ran and the code did what it should.
    Pass,
    /// The test ran and found the code faulty (script failed, the kernel
    /// oopsed, a KUnit case failed).
    Fail,
    /// The test did not run because it does not apply (KUnit `# SKIP`).
    Skip,
    /// The test did not complete (timeout, no exit status, a suite that
    /// printed nothing): the state of the code is unknown.
    Error,
}

impl Status {
    /// Whether the text report says `ok`.
    pub fn passed(self) -> bool {
        matches!(self, Status::Pass | Status::Skip)
    }

    /// The KCIDB status string.
    pub fn kcidb(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
            Status::Error => "ERROR",
        }
    }
}

/// One test case's verdict.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The name the text report prints (`vfat::03-refcount`,
    /// `kunit::rust_fat_format::<case>`, ...).
    pub name: String,
    /// What was found.
    pub status: Status,
    /// Why it failed (script output and console excerpt), or diagnostics.
    pub detail: String,
    /// The wall-clock time, for the verdict that stands for the whole
    /// scenario (the others are parts of that run and have no own time).
    pub secs: Option<f64>,
}

impl Verdict {
    /// Whether the text report says `ok`.
    pub fn passed(&self) -> bool {
        self.status.passed()
    }
}

/// One scenario's run, with everything the reports need from it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `<group>::<name>`, as the text report prints it.
    pub name: String,
    /// When its VM was started.
    pub start: SystemTime,
    /// The guest's serial console log (plus what vm-run.sh said).
    pub console: String,
    /// The KTAP blocks it printed, in the order printed: (suite, text).
    pub ktap: Vec<(String, String)>,
    /// Its verdicts: the scenario's own first, then its parts.
    pub verdicts: Vec<Verdict>,
}

impl Scenario {
    /// A file name stem for files about this scenario: `<group>.<name>`.
    pub fn file_stem(&self) -> String {
        self.name.replace("::", ".").replace('/', "_")
    }
}

/// The first `::` component of a verdict name: the scenario group, or
/// `kunit` for KUnit verdicts.
pub fn group_of(name: &str) -> &str {
    name.split("::").next().unwrap_or(name)
}

/// `t` as an RFC 3339 UTC timestamp with milliseconds
/// (`2026-05-01T12:34:56.789+00:00`), by hand: the harness has no date
/// crate, and UTC needs no time zone data.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86400, secs % 86400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// The proleptic Gregorian (year, month, day) of a day count since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn status_mapping() {
        assert!(Status::Pass.passed());
        assert!(Status::Skip.passed());
        assert!(!Status::Fail.passed());
        assert!(!Status::Error.passed());
        assert_eq!(Status::Pass.kcidb(), "PASS");
        assert_eq!(Status::Fail.kcidb(), "FAIL");
        assert_eq!(Status::Skip.kcidb(), "SKIP");
        assert_eq!(Status::Error.kcidb(), "ERROR");
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000+00:00");
        // 2000-02-29 (a leap day in a century year) 12:34:56.789.
        let t = UNIX_EPOCH + Duration::from_millis(951_827_696_789);
        assert_eq!(rfc3339(t), "2000-02-29T12:34:56.789+00:00");
        let t = UNIX_EPOCH + Duration::from_secs(1_767_225_599);
        assert_eq!(rfc3339(t), "2025-12-31T23:59:59.000+00:00");
    }

    #[test]
    fn groups_and_stems() {
        assert_eq!(group_of("vfat::03-refcount"), "vfat");
        assert_eq!(group_of("kunit::s::c"), "kunit");
        let s = Scenario {
            name: "ncr810::11-scsi-write".into(),
            start: UNIX_EPOCH,
            console: String::new(),
            ktap: Vec::new(),
            verdicts: Vec::new(),
        };
        assert_eq!(s.file_stem(), "ncr810.11-scsi-write");
    }
}
