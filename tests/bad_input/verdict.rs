//! One case of the battery and what it concluded.

use parsimony::Error;

/// One hostile input: a name (unique), the class of issue 21 it probes, and the call.
pub struct Case {
    /// `<crate>/<entry point>/<what is wrong>`.
    pub name: String,
    /// 1 sizes, 2 termination, 3 non-finite values, 4 degenerate data, 5 files and fields.
    pub class: u8,
    /// Runs the call and judges the answer.
    pub run: Box<dyn Fn() -> Verdict>,
}

/// What a case concluded about the answer it got.
#[derive(Debug)]
pub enum Verdict {
    /// A typed `parsimony::Error` (the message).
    TypedError(String),
    /// `Ok`, and the case's check of the answer passed.
    CorrectOk(String),
    /// `Ok` holding NaN or ±inf (or `converged` beside one).
    NanEscape(String),
    /// `Ok`, finite, but wrong.
    Wrong(String),
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::TypedError(_) | Verdict::CorrectOk(_))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::TypedError(_) => "typed error",
            Verdict::CorrectOk(_) => "correct Ok",
            Verdict::NanEscape(_) => "NaN escape",
            Verdict::Wrong(_) => "silently wrong",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Verdict::TypedError(s)
            | Verdict::CorrectOk(s)
            | Verdict::NanEscape(s)
            | Verdict::Wrong(s) => s,
        }
    }

    /// One line on the child's stdout.
    pub fn encode(&self) -> String {
        let tag = match self {
            Verdict::TypedError(_) => "E",
            Verdict::CorrectOk(_) => "O",
            Verdict::NanEscape(_) => "N",
            Verdict::Wrong(_) => "W",
        };
        format!(
            "VERDICT\t{tag}\t{}",
            self.detail().replace(['\n', '\t'], " ")
        )
    }

    pub fn parse(line: &str) -> Option<Verdict> {
        let mut parts = line.splitn(3, '\t');
        if parts.next()? != "VERDICT" {
            return None;
        }
        let tag = parts.next()?;
        let detail = parts.next().unwrap_or("").to_string();
        Some(match tag {
            "E" => Verdict::TypedError(detail),
            "O" => Verdict::CorrectOk(detail),
            "N" => Verdict::NanEscape(detail),
            "W" => Verdict::Wrong(detail),
            _ => return None,
        })
    }
}

/// Adds a case.
pub fn add(
    v: &mut Vec<Case>,
    class: u8,
    name: impl Into<String>,
    run: impl Fn() -> Verdict + 'static,
) {
    v.push(Case {
        name: name.into(),
        class,
        run: Box::new(run),
    });
}

/// The only right answer is a typed error.
pub fn must_fail<T>(r: Result<T, Error>) -> Verdict {
    match r {
        Err(e) => Verdict::TypedError(e.to_string()),
        Ok(_) => Verdict::Wrong("accepted input that has no valid answer".into()),
    }
}

/// A typed error, or an `Ok` that `check` accepts.
pub fn either<T>(r: Result<T, Error>, check: impl FnOnce(T) -> Verdict) -> Verdict {
    match r {
        Err(e) => Verdict::TypedError(e.to_string()),
        Ok(t) => check(t),
    }
}

/// A typed error, or an `Ok` whose numbers (as listed by `numbers`) are all finite.
pub fn finite_or_err<T>(r: Result<T, Error>, numbers: impl FnOnce(&T) -> Vec<f64>) -> Verdict {
    either(r, |t| finite(&numbers(&t)))
}

/// `CorrectOk` if every number is finite, `NanEscape` naming the first that is not.
pub fn finite(xs: &[f64]) -> Verdict {
    match xs.iter().position(|x| !x.is_finite()) {
        None => Verdict::CorrectOk(format!("{} finite numbers", xs.len())),
        Some(i) => Verdict::NanEscape(format!("value {i} of {} is {}", xs.len(), xs[i])),
    }
}

/// `CorrectOk` if `cond`, else `Wrong(why)`.
pub fn ok_if(cond: bool, why: impl Into<String>) -> Verdict {
    if cond {
        Verdict::CorrectOk("checked".into())
    } else {
        Verdict::Wrong(why.into())
    }
}

/// Chains checks: the first failing verdict, else the last.
pub fn all(vs: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut last = Verdict::CorrectOk("no checks".into());
    for v in vs {
        if !v.passed() {
            return v;
        }
        last = v;
    }
    last
}
