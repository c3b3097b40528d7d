//! Writing results: CSV tables, and the exit status of a program from its result.

use std::path::Path;

/// Writes rows of numbers as CSV with a header line (full double precision).
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<f64>]) -> crate::Result<()> {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| format!("{v:.17e}")).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// The exit status of a program whose work returned `result`: success, or the error's message
/// on standard error (`error: …`, the `Display` form rather than the `Debug` form a
/// `main() -> Result` prints) and exit code 1.
pub fn report(result: crate::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
