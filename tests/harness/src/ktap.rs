// SPDX-License-Identifier: GPL-2.0

//! A parser for the KTAP that KUnit writes for one suite.

/// The outcome of one KUnit case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `ok`.
    Pass,
    /// `ok ... # SKIP`.
    Skip,
    /// `not ok`.
    Fail,
}

/// One test case line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The case's name.
    pub name: String,
    /// Its result.
    pub outcome: Outcome,
    /// The diagnostic lines (`# ...`) printed before its result.
    pub diagnostics: Vec<String>,
}

/// A parsed suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    /// The name from `# Subtest:`.
    pub name: String,
    /// The case count the plan (`1..N`) announced.
    pub planned: Option<usize>,
    /// The cases, in order.
    pub cases: Vec<Case>,
    /// The suite's own result line, if it was printed.
    pub result: Option<Outcome>,
}

impl Suite {
    /// Why the suite as a whole is broken, if it is: no plan, fewer cases
    /// than planned, or no closing result line (it crashed or hung).
    pub fn problem(&self) -> Option<String> {
        match self.planned {
            None => {
                return Some(format!(
                    "suite {}: no test plan (1..N) in its KTAP",
                    self.name
                ))
            }
            Some(n) if n != self.cases.len() => {
                return Some(format!(
                    "suite {}: planned {} cases, reported {} (crashed?)",
                    self.name,
                    n,
                    self.cases.len()
                ))
            }
            _ => {}
        }
        if self.result.is_none() {
            return Some(format!(
                "suite {}: no result line (crashed or hung?)",
                self.name
            ));
        }
        None
    }
}

/// A result line's outcome, name and directive (the text after ` # `).
fn parse_result(line: &str) -> Option<(Outcome, String, Option<String>)> {
    let (ok, rest) = if let Some(r) = line.strip_prefix("not ok ") {
        (false, r)
    } else if let Some(r) = line.strip_prefix("ok ") {
        (true, r)
    } else {
        return None;
    };
    let rest = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    let rest = rest.strip_prefix("- ").unwrap_or(rest);
    let (name, directive) = match rest.split_once(" # ") {
        Some((n, d)) => (n, Some(d)),
        None => (rest, None),
    };
    let outcome = match (ok, directive) {
        (false, _) => Outcome::Fail,
        (true, Some(d)) if d.trim_start().to_ascii_uppercase().starts_with("SKIP") => Outcome::Skip,
        (true, _) => Outcome::Pass,
    };
    Some((
        outcome,
        name.trim().to_string(),
        directive.map(|d| d.trim().to_string()),
    ))
}

/// Parses the KTAP of one suite as `/sys/kernel/debug/kunit/<suite>/results`
/// holds it (or as the console printed it, timestamps removed).
pub fn parse_suite(text: &str) -> Suite {
    let mut suite = Suite {
        name: String::new(),
        planned: None,
        cases: Vec::new(),
        result: None,
    };
    let mut diag = Vec::new();
    // Case lines are indented one level deeper than the suite's own.
    let mut case_indent: Option<usize> = None;
    for raw in text.lines() {
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if let Some(n) = line.strip_prefix("# Subtest:") {
            if suite.name.is_empty() {
                suite.name = n.trim().to_string();
                case_indent = Some(indent);
            }
            continue;
        }
        if let Some(p) = line.strip_prefix("1..") {
            if suite.planned.is_none() && Some(indent) == case_indent {
                suite.planned = p.trim().parse().ok();
            }
            continue;
        }
        if let Some(d) = line.strip_prefix('#') {
            diag.push(d.trim().to_string());
            continue;
        }
        if let Some((outcome, name, directive)) = parse_result(line) {
            if Some(indent) == case_indent {
                let mut diagnostics = std::mem::take(&mut diag);
                // Why a case was skipped is in its directive: keep it.
                if let (Outcome::Skip, Some(d)) = (&outcome, directive) {
                    diagnostics.push(d);
                }
                suite.cases.push(Case {
                    name,
                    outcome,
                    diagnostics,
                });
            } else if case_indent.is_some_and(|c| indent < c) {
                suite.result = Some(outcome);
            }
        }
    }
    suite
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "KTAP version 1\n    KTAP version 1\n    # Subtest: demo\n    # module: m\n    1..3\n    ok 1 first\n    # second: ASSERTION FAILED at x.rs:3\n    not ok 2 second\n    ok 3 third # SKIP not here\n# demo: pass:1 fail:1 skip:1 total:3\nnot ok 1 demo\n";

    #[test]
    fn parses_cases_and_result() {
        let s = parse_suite(GOOD);
        assert_eq!(s.name, "demo");
        assert_eq!(s.planned, Some(3));
        assert_eq!(s.cases.len(), 3);
        assert_eq!(s.cases[0].outcome, Outcome::Pass);
        assert_eq!(s.cases[1].outcome, Outcome::Fail);
        assert!(s.cases[1].diagnostics[0].contains("ASSERTION FAILED"));
        assert_eq!(s.cases[2].outcome, Outcome::Skip);
        assert_eq!(s.cases[2].diagnostics, vec!["SKIP not here"]);
        assert_eq!(s.result, Some(Outcome::Fail));
        assert_eq!(s.problem(), None);
    }

    #[test]
    fn a_suite_cut_short_is_a_problem() {
        let cut: String = GOOD.lines().take(6).map(|l| format!("{l}\n")).collect();
        let s = parse_suite(&cut);
        assert!(s.problem().unwrap().contains("planned 3"));
    }

    #[test]
    fn no_plan_is_a_problem() {
        let s = parse_suite("KTAP version 1\n");
        assert!(s.problem().is_some());
    }
}
