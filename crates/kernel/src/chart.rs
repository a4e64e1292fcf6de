//! Server-side SVG charts for reports: readable without scripts, printable,
//! and embedded in the page; the same SVG drawn as PNG for download, with an
//! embedded Chinese font so it renders the same on an offline server.

use std::sync::{Arc, OnceLock};

use crate::web::table::escape;

/// WenQuanYi Micro Hei cut to GB 2312 (see fonts/README.md).
const FONT: &[u8] = include_bytes!("../fonts/wqy-microhei-gb2312.ttf");
const FONT_FAMILY: &str = "WenQuanYi Micro Hei";

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("chart SVG: {0}")]
    Svg(String),
    #[error("chart PNG: {0}")]
    Png(String),
}

/// The opening of a chart: its size, a white ground (PNG and print) and the title.
fn open(width: usize, height: usize, title: &str) -> String {
    let t = escape(title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{t}\" class=\"chart\" font-family=\"{FONT_FAMILY}, sans-serif\">\
         <title>{t}</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
         <text x=\"0\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{t}</text>"
    )
}

/// A chart drawn as PNG at twice its size, for slides and documents.
pub fn png(svg: &str) -> Result<Vec<u8>, ChartError> {
    static OPTIONS: OnceLock<resvg::usvg::Options<'static>> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        let mut fonts = resvg::usvg::fontdb::Database::new();
        fonts.load_font_data(FONT.to_vec());
        resvg::usvg::Options { font_family: FONT_FAMILY.to_owned(), fontdb: Arc::new(fonts), ..Default::default() }
    });
    let tree = resvg::usvg::Tree::from_str(svg, options).map_err(|e| ChartError::Svg(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)
        .ok_or_else(|| ChartError::Png("empty chart".to_owned()))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(2.0, 2.0), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| ChartError::Png(e.to_string()))
}

/// Where a chart's value axis runs. Rates start just under the smallest
/// value shown, rounded down to a step, so 84% and 87% look different; the
/// cut is marked on the chart. Counts start at zero, where a bar's length is
/// the count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub low: f64,
    pub high: f64,
    pub step: f64,
}

/// Steps a rate axis may take: one, two, five, ten or twenty percentage points.
const RATE_STEPS: [f64; 5] = [0.01, 0.02, 0.05, 0.1, 0.2];

impl Axis {
    /// An axis for shares (0..=1): from a step under the lowest to a step over
    /// the highest, at most 100%; from zero when the lowest is within a step of it.
    pub fn rates(values: &[f64]) -> Axis {
        if values.is_empty() {
            return Axis { low: 0.0, high: 1.0, step: 0.2 };
        }
        let clamped = values.iter().map(|v| v.clamp(0.0, 1.0));
        let min = clamped.clone().fold(1.0, f64::min);
        let max = clamped.fold(0.0, f64::max).max(min);
        let step = RATE_STEPS.into_iter().find(|s| (max - min) / s <= 5.0).unwrap_or(0.2);
        // Whole steps in hundredths, so 0.83 does not come out as 0.8299999.
        let in_steps = |v: f64| (v / step * 1e6).round() / 1e6;
        let low = ((in_steps(min) - 0.5).floor() * step).max(0.0);
        let low = if low < step { 0.0 } else { low };
        let high = ((in_steps(max) + 0.5).ceil() * step).min(1.0);
        Axis { low, high: high.max(low + step), step }
    }

    /// An axis for counts: from zero to the largest count.
    pub fn counts(max: u64) -> Axis {
        let high = (max as f64).max(1.0);
        Axis { low: 0.0, high, step: high }
    }

    /// Whether the axis does not start at zero, and the chart marks the cut.
    pub fn is_cut(&self) -> bool {
        self.low > 0.0
    }

    /// Where `value` falls along the axis, from 0 (its low end) to 1 (its high end).
    pub fn at(&self, value: f64) -> f64 {
        ((value - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
    }
}

/// A zigzag across the axis's start: the bars do not begin at zero.
fn cut_mark(x: f64, y: f64) -> String {
    format!(
        "<path class=\"axis-cut\" d=\"M{:.1},{y:.1} l4,-4 l4,8 l4,-4\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\"/>",
        x - 6.0
    )
}

/// A horizontal bar chart of shares (0..=1), one bar per item, labelled with
/// the name and the percentage, on a rate axis.
pub fn bars(title: &str, items: &[(String, f64)]) -> String {
    let axis = Axis::rates(&items.iter().map(|i| i.1).collect::<Vec<_>>());
    let labelled: Vec<(&str, f64, String)> =
        items.iter().map(|(label, share)| (label.as_str(), *share, format!("{:.2}%", share * 100.0))).collect();
    let low = axis.is_cut().then(|| format!("{:.0}%", axis.low * 100.0));
    draw_bars(title, &labelled, axis, low)
}

/// A horizontal bar chart of counts from zero, labelled with the name and the count.
pub fn count_bars(title: &str, items: &[(String, u64)]) -> String {
    let axis = Axis::counts(items.iter().map(|i| i.1).max().unwrap_or(0));
    let labelled: Vec<(&str, f64, String)> =
        items.iter().map(|(label, n)| (label.as_str(), *n as f64, n.to_string())).collect();
    draw_bars(title, &labelled, axis, None)
}

/// Bars along `axis`: name, value and the value as shown; the axis's start
/// written under the bars when it is not zero.
fn draw_bars(title: &str, items: &[(&str, f64, String)], axis: Axis, low: Option<String>) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 220;
    const WIDTH: usize = 720;
    let plot = WIDTH - LABEL - 70;
    let bottom = 30 + items.len() * ROW;
    let height = bottom + if low.is_some() { 24 } else { 10 };
    let mut svg = open(WIDTH, height, title);
    for (i, (label, value, shown)) in items.iter().enumerate() {
        let y = 30 + i * ROW;
        let width = (axis.at(*value) * plot as f64).round() as usize;
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{width}\" height=\"{}\" fill=\"#a4161a\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            LABEL - 6,
            y + 14,
            escape(label),
            y + 3,
            ROW - 6,
            LABEL + width + 4,
            y + 14,
            escape(shown)
        );
    }
    if let Some(low) = low {
        svg += &format!(
            "<line x1=\"{LABEL}\" x2=\"{LABEL}\" y1=\"30\" y2=\"{bottom}\" stroke=\"#333\"/>{}\
             <text x=\"{LABEL}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{low}</text>",
            cut_mark(LABEL as f64, bottom as f64),
            bottom + 18
        );
    }
    svg + "</svg>"
}

/// A line chart of shares (0..=1) over labelled points on a rate axis, so a week's rise shows.
pub fn line(title: &str, points: &[(String, f64)]) -> String {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 240.0;
    const LEFT: f64 = 56.0;
    const TOP: f64 = 30.0;
    const BOTTOM: f64 = 36.0;
    let axis = Axis::rates(&points.iter().map(|p| p.1).collect::<Vec<_>>());
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 { (WIDTH - LEFT - 20.0) / (points.len() - 1) as f64 } else { 0.0 };
    let x = |i: usize| LEFT + step * i as f64;
    let y = |share: f64| TOP + plot_h * (1.0 - axis.at(share));
    let mut svg = open(WIDTH as usize, HEIGHT as usize, title);
    for tick in [axis.low, (axis.low + axis.high) / 2.0, axis.high] {
        svg += &format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{:.1}%</text>",
            WIDTH - 10.0,
            LEFT - 6.0,
            y(tick) + 4.0,
            tick * 100.0,
            y = y(tick)
        );
    }
    if axis.is_cut() {
        svg += &cut_mark(LEFT, HEIGHT - BOTTOM);
    }
    let path: Vec<String> = points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1))).collect();
    svg += &format!("<polyline points=\"{}\" fill=\"none\" stroke=\"#a4161a\" stroke-width=\"2\"/>", path.join(" "));
    for (i, (label, share)) in points.iter().enumerate() {
        svg += &format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#a4161a\"><title>{} {:.2}%</title></circle>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(i),
            y(*share),
            escape(label),
            share * 100.0,
            x(i),
            HEIGHT - BOTTOM + 16.0,
            escape(label)
        );
    }
    if let Some((_, last)) = points.last() {
        svg += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{:.2}%</text>",
            x(points.len() - 1),
            y(*last) - 8.0,
            last * 100.0
        );
    }
    svg + "</svg>"
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_has_a_point_per_week() {
        let points: Vec<(String, f64)> = (0..5).map(|i| (format!("08-{:02}", i + 1), 0.5 + i as f64 * 0.05)).collect();
        let svg = super::line("走势", &points);
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("70.00%") && svg.contains("08-05"));
        assert!(!super::line("空", &[]).contains("NaN"));
    }

    #[test]
    fn a_chart_draws_as_png_with_chinese_labels() {
        let svg = super::bars("落实率排名", &[("湘潭大学".into(), 0.875), ("长沙民政职业技术学院".into(), 0.9)]);
        let png = super::png(&svg).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // The labels are drawn: a chart with text holds more ink than one without.
        let blank = super::png(&super::bars("", &[])).unwrap();
        assert!(png.len() > blank.len() + 1000);
    }

    #[test]
    fn a_rate_axis_starts_where_the_differences_show() {
        let axis = super::Axis::rates(&[0.84, 0.87]);
        assert!(axis.low > 0.0 && axis.low < 0.84 && axis.low >= 0.8, "{axis:?}");
        assert!(axis.high > 0.87 && axis.high <= 1.0);
        assert!(axis.is_cut());
        // 84% and 87% are far apart on it, not three hundredths of the width.
        assert!(axis.at(0.87) - axis.at(0.84) > 0.4);
        // Rounded down to a whole step: 83%, not 83.4%.
        assert!(((axis.low / axis.step).round() - axis.low / axis.step).abs() < 1e-9);
        let svg = super::bars("落实率", &[("甲".into(), 0.84), ("乙".into(), 0.87)]);
        assert!(svg.contains("axis-cut") && svg.contains(&format!("{:.0}%", axis.low * 100.0)));
        // Rates near zero and the whole range keep zero.
        assert_eq!(super::Axis::rates(&[0.01, 0.9]).low, 0.0);
        assert_eq!(super::Axis::rates(&[]).low, 0.0);
        assert!(super::Axis::rates(&[1.0, 1.0]).high <= 1.0);
    }

    #[test]
    fn a_count_axis_starts_at_zero() {
        let axis = super::Axis::counts(870);
        assert_eq!((axis.low, axis.high), (0.0, 870.0));
        assert!(!axis.is_cut());
        let svg = super::count_bars("去向地区", &[("长沙市".into(), 870), ("深圳".into(), 840)]);
        assert!(svg.contains(">870<") && !svg.contains("axis-cut"));
        assert!(svg.contains("width=\"430\"") && svg.contains("width=\"415\""), "bars from zero: 840 is 97% of 870");
    }

    #[test]
    fn bars_are_labelled_and_escaped() {
        let svg = super::bars("落实率 <前十>", &[("湘潭大学".into(), 0.875), ("A&B".into(), 1.4)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("湘潭大学") && svg.contains("87.50%"));
        assert!(svg.contains("A&amp;B") && svg.contains("&lt;前十&gt;"));
        assert!(!svg.contains("width=\"-"), "shares above 1 are clamped");
    }
}
