//! Colour maps: a value t ∈ [0, 1] to an RGB colour by piecewise-linear interpolation between
//! control points.

use plotters::style::RGBColor;

/// A colour map for [`Heatmap`](super::Heatmap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Colormap {
    /// Perceptually uniform dark blue → green → yellow (matplotlib's default), for magnitudes.
    #[default]
    Viridis,
    /// Diverging blue → white → red, for signed fields centred on zero.
    RedBlue,
    /// Black → white.
    Grayscale,
}

const VIRIDIS: [(f64, [u8; 3]); 9] = [
    (0.0, [68, 1, 84]),
    (0.125, [71, 44, 122]),
    (0.25, [59, 81, 139]),
    (0.375, [44, 113, 142]),
    (0.5, [33, 144, 141]),
    (0.625, [39, 173, 129]),
    (0.75, [92, 200, 99]),
    (0.875, [170, 220, 50]),
    (1.0, [253, 231, 37]),
];

const RED_BLUE: [(f64, [u8; 3]); 7] = [
    (0.0, [5, 48, 97]),
    (0.17, [33, 102, 172]),
    (0.33, [146, 197, 222]),
    (0.5, [247, 247, 247]),
    (0.67, [244, 165, 130]),
    (0.83, [178, 24, 43]),
    (1.0, [103, 0, 31]),
];

const GRAY: [(f64, [u8; 3]); 2] = [(0.0, [0, 0, 0]), (1.0, [255, 255, 255])];

impl Colormap {
    /// The colour of t ∈ [0, 1] (clamped; NaN maps to the lowest colour).
    pub fn color(self, t: f64) -> RGBColor {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let table: &[(f64, [u8; 3])] = match self {
            Colormap::Viridis => &VIRIDIS,
            Colormap::RedBlue => &RED_BLUE,
            Colormap::Grayscale => &GRAY,
        };
        let k = table
            .windows(2)
            .position(|w| t <= w[1].0)
            .unwrap_or(table.len() - 2);
        let (t0, c0) = table[k];
        let (t1, c1) = table[k + 1];
        let s = if t1 > t0 { (t - t0) / (t1 - t0) } else { 0.0 };
        let mix = |a: u8, b: u8| (a as f64 + s * (b as f64 - a as f64)).round() as u8;
        RGBColor(mix(c0[0], c1[0]), mix(c0[1], c1[1]), mix(c0[2], c1[2]))
    }
}
