//! parsimony-plot: line and scatter plots (linear and logarithmic axes), heat maps, colour
//! maps, the progress observer.

use super::NON_FINITE;
use crate::verdict::{Case, Verdict, add, either, must_fail, ok_if};
use nalgebra::DMatrix;
use parsimony::plot::{Colormap, Heatmap, LinePlot, ProgressObserver, progress_bar};
use parsimony::solve::{Control, IterInfo, Observer, SolveInfo, Status};
use std::path::{Path, PathBuf};

pub fn cases(v: &mut Vec<Case>) {
    line_cases(v);
    heatmap_cases(v);
    other_cases(v);
}

/// `LinePlot::series` / `line` / `points` / `save`.
fn line_cases(v: &mut Vec<Case>) {
    let x = [1.0, 2.0, 3.0];
    add(v, 4, "plot/line_save/no_series", || {
        failed(small_line().save(out("no_series.png")))
    });
    add(v, 4, "plot/line_save/only_an_empty_series", || {
        failed(small_line().line("empty", &[], &[]).save(out("empty.png")))
    });
    add(v, 4, "plot/line_save/empty_beside_data", move || {
        let path = out("empty_beside.png");
        let plot = small_line().line("empty", &[], &[]).line("data", &x, &x);
        saved(plot.save(&path), &path)
    });
    add(v, 1, "plot/line_save/x_y_lengths_differ", move || {
        failed(
            small_line()
                .line("a", &x, &[1.0, 2.0])
                .save(out("lengths.png")),
        )
    });
    for (name, bad) in NON_FINITE {
        add(v, 3, format!("plot/line_save/y_{name}"), move || {
            let plot = small_line().line("a", &x, &[1.0, bad, 3.0]);
            failed(plot.save(out("y_bad.png")))
        });
    }
    add(v, 3, "plot/points_save/x_nan", move || {
        let plot = small_line().points("a", &[1.0, f64::NAN], &[1.0, 2.0]);
        failed(plot.save(out("x_nan.png")))
    });
    // data whose padded axis range overflows: the "never returns"
    let overflowing: [(&str, [f64; 3], [f64; 3]); 3] = [
        ("y_plus_minus_1e308", x, [-1e308, 0.0, 1e308]),
        ("x_plus_minus_1e308", [-1e308, 0.0, 1e308], x),
        ("y_constant_f64_max", x, [f64::MAX; 3]),
    ];
    for (name, xs, ys) in overflowing {
        add(v, 3, format!("plot/line_save/{name}"), move || {
            let path = out("overflow.png");
            saved(small_line().line("a", &xs, &ys).save(&path), &path)
        });
    }
    add(v, 3, "plot/line_save/y_1e308_one_sided", move || {
        let path = out("one_sided.png");
        let plot = small_line().line("a", &x, &[1e308, 1.2e308, 1.5e308]);
        saved(plot.save(&path), &path)
    });
    // logarithmic axes over more decades than a double's range can pad
    let decades: [(&str, [f64; 3]); 2] = [
        ("log_y_600_decades", [1e-300, 1.0, 1e300]),
        ("log_y_300_decades", [1e-150, 1.0, 1e150]),
    ];
    for (name, ys) in decades {
        add(v, 3, format!("plot/line_save/{name}"), move || {
            let path = out("decades.png");
            saved(
                small_line().log_y(true).line("a", &x, &ys).save(&path),
                &path,
            )
        });
    }
    add(v, 4, "plot/line_save/log_y_no_positive_value", move || {
        let plot = small_line().log_y(true).line("a", &x, &[0.0, -1.0, -2.0]);
        failed(plot.save(out("log_nonpositive.png")))
    });
    add(v, 4, "plot/line_save/single_point", || {
        let path = out("single.png");
        saved(small_line().points("a", &[2.0], &[0.0]).save(&path), &path)
    });
    add(v, 4, "plot/line_save/scaled_1e-200", || {
        let path = out("tiny.png");
        let plot = small_line().line("a", &[1e-200, 2e-200, 3e-200], &[1e-200, 3e-200, 2e-200]);
        saved(plot.save(&path), &path)
    });
    add(v, 1, "plot/line_save/size_too_small", move || {
        failed(
            LinePlot::new("t")
                .size(99, 200)
                .line("a", &x, &x)
                .save(out("small.png")),
        )
    });
    add(v, 1, "plot/line_color/index_usize_max", move || {
        let path = out("color.png");
        saved(
            small_line().line("a", &x, &x).color(usize::MAX).save(&path),
            &path,
        )
    });
    add(v, 5, "plot/line_save/into_missing_directory", move || {
        let path = out("no/such/directory/line.png");
        saved(small_line().line("a", &x, &x).save(&path), &path)
    });
    add(v, 5, "plot/line_save/parent_is_a_file", move || {
        let file = out("a_file.txt");
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(&file, b"not a folder");
        failed(small_line().line("a", &x, &x).save(file.join("line.png")))
    });
}

/// `Heatmap::new` / `extent` / `limits` / `symmetric` / `save`.
fn heatmap_cases(v: &mut Vec<Case>) {
    add(v, 4, "plot/heatmap_save/empty", || {
        failed(small_heatmap(&DMatrix::zeros(0, 0)).save(out("empty.png")))
    });
    for (name, bad) in NON_FINITE {
        add(
            v,
            3,
            format!("plot/heatmap_save/values_{name}"),
            move || {
                let mut u = field();
                u[(1, 2)] = bad;
                failed(small_heatmap(&u).save(out("bad.png")))
            },
        );
    }
    // colour or axis ranges whose width overflows
    add(v, 3, "plot/heatmap_save/values_plus_minus_1e308", || {
        let u = DMatrix::from_row_slice(2, 2, &[-1e308, 0.0, 1.0, 1e308]);
        let path = out("pm.png");
        saved(small_heatmap(&u).save(&path), &path)
    });
    add(v, 3, "plot/heatmap_save/limits_plus_minus_1e308", || {
        let path = out("limits.png");
        saved(
            small_heatmap(&field()).limits(-1e308, 1e308).save(&path),
            &path,
        )
    });
    add(v, 3, "plot/heatmap_save/symmetric_1e308", || {
        // the data span [0, 1e308] is finite; the symmetric range ±1e308 is not
        let u = DMatrix::from_row_slice(1, 2, &[0.0, 1e308]);
        let path = out("symmetric.png");
        saved(small_heatmap(&u).symmetric(true).save(&path), &path)
    });
    add(v, 3, "plot/heatmap_save/extent_plus_minus_1e308", || {
        let path = out("extent.png");
        let map = small_heatmap(&field()).extent((-1e308, 1e308), (0.0, 1.0));
        saved(map.save(&path), &path)
    });
    add(v, 4, "plot/heatmap_save/constant_1e308", || {
        let path = out("constant.png");
        saved(
            small_heatmap(&DMatrix::from_element(3, 4, 1e308)).save(&path),
            &path,
        )
    });
    add(v, 4, "plot/heatmap_save/one_cell", || {
        let path = out("one_cell.png");
        saved(
            small_heatmap(&DMatrix::from_element(1, 1, -2.0)).save(&path),
            &path,
        )
    });
    add(v, 3, "plot/heatmap_save/limits_nan", || {
        failed(
            small_heatmap(&field())
                .limits(f64::NAN, 1.0)
                .save(out("limits_nan.png")),
        )
    });
    add(v, 4, "plot/heatmap_save/extent_empty", || {
        let map = small_heatmap(&field()).extent((1.0, 1.0), (0.0, 1.0));
        failed(map.save(out("extent_empty.png")))
    });
    add(
        v,
        1,
        "plot/heatmap_save/narrower_than_its_colour_bar",
        || {
            // the colour bar takes 140 pixels of the 100
            let path = out("narrow.png");
            let map = Heatmap::new("t", &field()).size(100, 100);
            saved(map.save(&path), &path)
        },
    );
    add(v, 5, "plot/heatmap_save/into_missing_directory", || {
        let path = out("no/such/directory/map.png");
        saved(small_heatmap(&field()).save(&path), &path)
    });
}

/// `Colormap::color`, `ProgressObserver`, `progress_bar`.
fn other_cases(v: &mut Vec<Case>) {
    add(v, 3, "plot/colormap/non_finite", || {
        let maps = [Colormap::Viridis, Colormap::RedBlue, Colormap::Grayscale];
        let right = maps.iter().all(|&m| {
            m.color(f64::NAN) == m.color(0.0)
                && m.color(f64::INFINITY) == m.color(1.0)
                && m.color(f64::NEG_INFINITY) == m.color(0.0)
        });
        ok_if(
            right,
            "NaN and -inf map to the lowest colour, +inf to the highest",
        )
    });
    add(v, 1, "plot/progress_observer/extremes", || {
        let mut bar = ProgressObserver::new("bad input", u64::MAX);
        let a = bar.observe(&IterInfo::new(usize::MAX, f64::NAN, f64::INFINITY));
        let b = bar.observe(&IterInfo::new(16, f64::NEG_INFINITY, f64::NAN));
        bar.finish(&SolveInfo::new(
            usize::MAX,
            Status::NonFinite,
            f64::NAN,
            0.0,
        ));
        let plain = progress_bar("bad input", 0);
        plain.set_position(u64::MAX);
        plain.finish_and_clear();
        ok_if(
            a == Control::Continue && b == Control::Continue,
            "a progress bar never stops a run",
        )
    });
}

/// The figure size of every case that draws: small, so that a case takes milliseconds.
fn small_line() -> LinePlot {
    LinePlot::new("bad input").size(300, 200)
}

fn small_heatmap(values: &DMatrix<f64>) -> Heatmap {
    Heatmap::new("bad input", values).size(300, 200)
}

/// A signed 3 × 4 field.
fn field() -> DMatrix<f64> {
    DMatrix::from_fn(3, 4, |i, j| (i as f64) - 0.5 * (j as f64))
}

/// This child's folder for figures (each case runs in its own process).
fn dir() -> PathBuf {
    std::env::temp_dir().join(format!("parsimony_bad_input_{}", std::process::id()))
}

fn out(name: &str) -> PathBuf {
    dir().join(name)
}

/// A typed error, or `Ok` with a non-empty PNG at `path`; the figures are removed after.
fn saved(r: parsimony::Result<()>, path: &Path) -> Verdict {
    let v = either(r, |()| {
        ok_if(
            std::fs::metadata(path).is_ok_and(|m| m.len() > 0),
            "Ok, but no PNG was written",
        )
    });
    let _ = std::fs::remove_dir_all(dir());
    v
}

/// The only right answer is a typed error; anything written is removed after.
fn failed(r: parsimony::Result<()>) -> Verdict {
    let v = must_fail(r);
    let _ = std::fs::remove_dir_all(dir());
    v
}
