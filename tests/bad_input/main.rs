//! The bad-input battery: every public fallible entry point of core, sbl, medida, flame, ot, wht and plot
//! fed hostile input, each case in its own process with a time limit.
//!
//! The parent (this binary run by `cargo test`) lists the cases, runs each as a child process
//! (`BAD_INPUT_CASE=<name>` selects it; the child's address space is capped with `ulimit -v`
//! and the library's memory budget set low), and classifies the outcome:
//!
//! | outcome | passes? |
//! |---|---|
//! | typed error (`Err(parsimony::Error)`) | yes |
//! | correct `Ok` (the case's own check of the answer passes) | yes |
//! | panic or abort (any non-zero exit or signal) | no |
//! | hang (no answer within the time limit) | no |
//! | NaN escape (a non-finite number inside `Ok`, or `converged` beside one) | no |
//! | silently wrong (`Ok`, finite, but the case's check fails) | no |
//!
//! It prints every failure and the tally `N passed, M failed`, and exits non-zero on any
//! failure. Environment: `BAD_INPUT_FILTER=<substring>` runs a subset, `BAD_INPUT_TIMEOUT=<s>`
//! changes the limit (default 20 s), `BAD_INPUT_VERBOSE=1` prints every case.
//!
//! The cases are grouped by the class of issue 21 they probe: 1 sizes and index arithmetic,
//! 2 termination, 3 non-finite values, 4 degenerate data, 5 files and public fields.

mod cases;
mod verdict;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use verdict::{Case, Verdict};

/// The library's memory budget inside a child (bytes): far below the address-space cap, so a
/// request the budget refuses is a typed error and one it misses is an abort, not a swap storm.
const CHILD_MEMORY_BUDGET: u64 = 1 << 30;
/// The child's address-space cap (KiB, for `ulimit -v`).
const CHILD_ADDRESS_SPACE_KIB: u64 = 8 << 20;

fn main() {
    let cases = cases::all();
    if let Ok(name) = std::env::var("BAD_INPUT_CASE") {
        run_child(&cases, &name);
        return;
    }
    check_unique(&cases);
    let filter = std::env::var("BAD_INPUT_FILTER").unwrap_or_default();
    let timeout = std::env::var("BAD_INPUT_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(20.0);
    let verbose = std::env::var("BAD_INPUT_VERBOSE").is_ok_and(|v| v == "1");
    let selected: Vec<(String, u8)> = cases
        .iter()
        .filter(|c| c.name.contains(&filter))
        .map(|c| (c.name.clone(), c.class))
        .collect();
    drop(cases);
    let exe = std::env::current_exe().expect("the battery's own path");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = selected.get(i) else { break };
                    let outcome = run_isolated(&exe, &case.0, timeout);
                    if verbose {
                        println!("{:<60} {}", case.0, outcome.describe());
                    }
                    results.lock().unwrap().push((i, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    report(&selected, &results, start.elapsed());
}

/// What a child did.
enum Outcome {
    /// It printed a verdict and exited cleanly.
    Answered(Verdict),
    /// It exited without a verdict (a panic, an abort, a signal).
    Crashed(String),
    /// It did not finish within the time limit.
    Hung(f64),
}

impl Outcome {
    fn passed(&self) -> bool {
        matches!(self, Outcome::Answered(v) if v.passed())
    }

    fn kind(&self) -> &'static str {
        match self {
            Outcome::Answered(v) => v.kind(),
            Outcome::Crashed(_) => "panic/abort",
            Outcome::Hung(_) => "hang",
        }
    }

    fn describe(&self) -> String {
        match self {
            Outcome::Answered(v) => format!("{}: {}", v.kind(), v.detail()),
            Outcome::Crashed(why) => format!("panic/abort: {why}"),
            Outcome::Hung(t) => format!("hang: no answer after {t:.0} s"),
        }
    }
}

fn check_unique(cases: &[Case]) {
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    for w in names.windows(2) {
        assert_ne!(w[0], w[1], "two bad-input cases share a name");
    }
}

/// Runs one case in a child process under `ulimit -v`, killing it after `timeout` seconds.
fn run_isolated(exe: &std::path::Path, name: &str, timeout: f64) -> Outcome {
    let script = format!("ulimit -v {CHILD_ADDRESS_SPACE_KIB} 2>/dev/null; exec \"$0\"");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(exe)
        .env("BAD_INPUT_CASE", name)
        .env("RUST_BACKTRACE", "0")
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn a bad-input child");
    // drain the pipes on threads so a chatty child cannot block on a full pipe
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait().expect("wait on a bad-input child") {
            Some(status) => break Some(status),
            None if start.elapsed().as_secs_f64() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    let Some(status) = status else {
        return Outcome::Hung(timeout);
    };
    let verdict = stdout.lines().find_map(Verdict::parse);
    match verdict {
        Some(v) if status.success() => Outcome::Answered(v),
        _ => {
            let tail: String = stderr
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(3)
                .collect::<Vec<_>>()
                .join(" | ");
            Outcome::Crashed(format!("{status}; {tail}"))
        }
    }
}

/// The child: runs one case and prints its verdict.
fn run_child(cases: &[Case], name: &str) {
    parsimony::memory::set_limit(CHILD_MEMORY_BUDGET);
    let case = cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no bad-input case named {name}"));
    let verdict = (case.run)();
    println!("{}", verdict.encode());
}

fn report(cases: &[(String, u8)], results: &[(usize, Outcome)], elapsed: Duration) {
    let mut tally = std::collections::BTreeMap::<&str, usize>::new();
    let mut by_class = std::collections::BTreeMap::<u8, (usize, usize)>::new();
    let mut failed = 0;
    for (i, outcome) in results {
        *tally.entry(outcome.kind()).or_default() += 1;
        let entry = by_class.entry(cases[*i].1).or_default();
        entry.0 += 1;
        if !outcome.passed() {
            failed += 1;
            entry.1 += 1;
            println!("FAILED {:<56} {}", cases[*i].0, outcome.describe());
        }
    }
    let passed = results.len() - failed;
    println!();
    for (class, (n, f)) in &by_class {
        println!("class {class}: {n} cases, {f} failed");
    }
    let kinds: Vec<String> = tally.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("outcomes: {}", kinds.join(", "));
    println!(
        "bad-input battery: {passed} passed, {failed} failed ({:.1} s)",
        elapsed.as_secs_f64()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
