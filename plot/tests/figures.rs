//! Figures are written as PNG files that decode and are not blank.

use nalgebra::DMatrix;
use parsimony_core::Error;
use parsimony_plot::{Colormap, Heatmap, LinePlot};
use std::collections::HashSet;
use std::path::PathBuf;

fn out_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("parsimony-plot-tests-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Decodes a PNG and returns (width, height, fraction of non-white pixels, distinct colours).
fn inspect(path: &PathBuf) -> (u32, u32, f64, usize) {
    let img = image::open(path).expect("PNG decodes").to_rgb8();
    let (w, h) = img.dimensions();
    let mut colours = HashSet::new();
    let mut ink = 0usize;
    for p in img.pixels() {
        colours.insert(p.0);
        if p.0 != [255, 255, 255] {
            ink += 1;
        }
    }
    (w, h, ink as f64 / (w * h) as f64, colours.len())
}

#[test]
fn line_plot_with_log_axes_writes_a_non_blank_png() {
    let path = out_dir().join("nested/line.png");
    let k: Vec<f64> = (1..=60).map(|k| k as f64).collect();
    let a: Vec<f64> = k.iter().map(|k| 0.7f64.powf(*k)).collect();
    let b: Vec<f64> = k.iter().map(|k| 1.0 / (k * k)).collect();
    LinePlot::new("Convergence")
        .labels("iteration", "residual")
        .log_y(true)
        .log_x(true)
        .line("geometric", &k, &a)
        .points("algebraic", &k, &b)
        .size(640, 480)
        .save(&path)
        .unwrap();
    let (w, h, ink, colours) = inspect(&path);
    assert_eq!((w, h), (640, 480));
    assert!(ink > 0.01 && ink < 0.6, "ink fraction {ink}");
    assert!(colours > 5, "{colours} colours");
}

#[test]
fn heatmap_writes_a_non_blank_png_with_the_colormap() {
    let path = out_dir().join("heat.png");
    let u = DMatrix::from_fn(120, 64, |t, x| {
        ((x as f64) * 0.2).sin() * ((t as f64) * 0.05).cos()
    });
    Heatmap::new("u(x, t)", &u)
        .extent((0.0, 32.0), (0.0, 100.0))
        .labels("x", "t")
        .colorbar_label("u")
        .colormap(Colormap::RedBlue)
        .symmetric(true)
        .save(&path)
        .unwrap();
    let (w, h, ink, colours) = inspect(&path);
    assert_eq!((w, h), (1000, 650));
    assert!(ink > 0.3, "ink fraction {ink}");
    assert!(colours > 100, "{colours} colours");
}

#[test]
fn colormaps_interpolate_their_endpoints() {
    let c = Colormap::RedBlue.color(0.5);
    assert_eq!((c.0, c.1, c.2), (247, 247, 247));
    let lo = Colormap::Grayscale.color(-3.0);
    let hi = Colormap::Grayscale.color(7.0);
    assert_eq!((lo.0, hi.0), (0, 255));
    let mid = Colormap::Grayscale.color(0.5);
    assert!((mid.0 as i32 - 128).abs() <= 1);
}

#[test]
fn bad_figures_are_refused() {
    let dir = out_dir();
    assert!(matches!(
        LinePlot::new("empty").save(dir.join("e.png")),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        LinePlot::new("t")
            .line("a", &[1.0, 2.0], &[1.0])
            .save(dir.join("m.png")),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        LinePlot::new("t")
            .line("a", &[1.0, 2.0], &[1.0, f64::NAN])
            .save(dir.join("n.png")),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        LinePlot::new("t")
            .log_y(true)
            .line("a", &[1.0], &[-1.0])
            .save(dir.join("l.png")),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Heatmap::new("t", &DMatrix::zeros(0, 0)).save(dir.join("h.png")),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Heatmap::new("t", &DMatrix::from_element(2, 2, 1.0))
            .extent((1.0, 0.0), (0.0, 1.0))
            .save(dir.join("h.png")),
        Err(Error::InvalidParameter { .. })
    ));
}
