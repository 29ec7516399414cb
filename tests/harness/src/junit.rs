// SPDX-License-Identifier: GPL-2.0

//! The JUnit XML report: one `<testsuite>` named `rust_modules`, one
//! `<testcase>` per verdict (scenarios, their parts, KUnit cases), written
//! by hand because the harness has no dependencies.

use crate::results::{
    group_of,
    rfc3339,
    Scenario,
    Status, //
};
use std::fmt::Write as _;
use std::time::SystemTime;

/// The suite name, shared with the KCIDB origin so both reports name the
/// run the same way.
pub const SUITE: &str = "rust_modules";

/// Longest `message` attribute: CI front ends show it on one line, the
/// element's text holds the whole detail.
const MESSAGE_MAX: usize = 200;

/// Escapes text for XML 1.0 element content and attribute values.
///
/// `& < > " '` become entities. Characters XML 1.0 forbids even as
/// references (C0 controls other than tab, newline and carriage return;
/// U+FFFE, U+FFFF), which console logs do carry (ANSI escapes, NULs from a
/// crashing guest), become a visible `\x..` / `\u{..}` so the file stays
/// well-formed and the log stays readable. With `attr`, tab, newline and
/// carriage return become character references, because an XML parser
/// turns them into spaces in attribute values otherwise.
pub fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attr => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The one-line summary of a failure detail for the `message` attribute.
fn message(detail: &str) -> String {
    let first = detail.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.chars().count() > MESSAGE_MAX {
        let cut: String = first.chars().take(MESSAGE_MAX).collect();
        format!("{cut}...")
    } else {
        first.to_string()
    }
}

/// The JUnit XML document for the scenarios of one run.
pub fn render(scenarios: &[Scenario], started: SystemTime, secs: f64) -> String {
    let verdicts: Vec<_> = scenarios.iter().flat_map(|s| &s.verdicts).collect();
    let count = |st: Status| verdicts.iter().filter(|v| v.status == st).count();
    let (tests, failures, errors, skipped) = (
        verdicts.len(),
        count(Status::Fail),
        count(Status::Error),
        count(Status::Skip),
    );
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{SUITE}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{secs:.3}\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"{SUITE}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{secs:.3}\" timestamp=\"{}\">",
        rfc3339(started)
    );
    for v in verdicts {
        let _ = write!(
            x,
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(group_of(&v.name), true),
            escape(&v.name, true)
        );
        if let Some(t) = v.secs {
            let _ = write!(x, " time=\"{t:.3}\"");
        }
        match v.status {
            Status::Pass => x.push_str("/>\n"),
            Status::Skip => {
                let _ = write!(
                    x,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    escape(&message(&v.detail), true)
                );
            }
            // JUnit keeps "the test found a bug" (failure) apart from "the
            // test could not run to the end" (error), like KCIDB does.
            Status::Fail | Status::Error => {
                let tag = if v.status == Status::Fail {
                    "failure"
                } else {
                    "error"
                };
                let _ = write!(
                    x,
                    ">\n      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>\n",
                    escape(&message(&v.detail), true),
                    v.status.kcidb(),
                    escape(&v.detail, false)
                );
            }
        }
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Verdict;
    use std::time::UNIX_EPOCH;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            escape("a&b<c>d\"e'f", false),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f"
        );
        assert_eq!(escape("l1\nl2\tx\r", false), "l1\nl2\tx\r");
        assert_eq!(escape("l1\nl2\tx\r", true), "l1&#10;l2&#9;x&#13;");
        assert_eq!(escape("\u{1b}[0m\0", false), "\\x1b[0m\\x00");
        assert_eq!(escape("\u{ffff}é", false), "\\u{ffff}é");
    }

    #[test]
    fn document() {
        let v = |name: &str, status, detail: &str, secs| Verdict {
            name: name.into(),
            status,
            detail: detail.into(),
            secs,
        };
        let s = Scenario {
            name: "vfat::08-kunit".into(),
            start: UNIX_EPOCH,
            console: String::new(),
            ktap: Vec::new(),
            verdicts: vec![
                v(
                    "vfat::08-kunit",
                    Status::Fail,
                    "guest exit status 1\n<oops>",
                    Some(2.5),
                ),
                v("kunit::s::a", Status::Pass, "", None),
                v("kunit::s::b", Status::Skip, "b: SKIP not here", None),
                v("kunit::s", Status::Error, "no KTAP", None),
            ],
        };
        let x = render(&[s], UNIX_EPOCH, 3.0);
        assert!(x.contains("tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""));
        assert!(x.contains(
            "<testcase classname=\"vfat\" name=\"vfat::08-kunit\" time=\"2.500\">\n      <failure message=\"guest exit status 1\" type=\"FAIL\">guest exit status 1\n&lt;oops&gt;</failure>"
        ));
        assert!(x.contains("<testcase classname=\"kunit\" name=\"kunit::s::a\"/>"));
        assert!(x.contains("<skipped message=\"b: SKIP not here\"/>"));
        assert!(x.contains("<error message=\"no KTAP\" type=\"ERROR\">no KTAP</error>"));
        assert!(x.ends_with("</testsuites>\n"));
    }
}
