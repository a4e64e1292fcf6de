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

/// A horizontal bar chart of shares (0..=1), one bar per item, labelled with
/// the name and the percentage.
pub fn bars(title: &str, items: &[(String, f64)]) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 220;
    const WIDTH: usize = 720;
    let plot = WIDTH - LABEL - 70;
    let height = 30 + items.len() * ROW + 10;
    let mut svg = open(WIDTH, height, title);
    for (i, (label, share)) in items.iter().enumerate() {
        let y = 30 + i * ROW;
        let width = (share.clamp(0.0, 1.0) * plot as f64).round() as usize;
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{width}\" height=\"{}\" fill=\"#a4161a\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{:.2}%</text>",
            LABEL - 6,
            y + 14,
            escape(label),
            y + 3,
            ROW - 6,
            LABEL + width + 4,
            y + 14,
            share * 100.0
        );
    }
    svg + "</svg>"
}

/// A line chart of shares (0..=1) over labelled points, the axis running from
/// just under the lowest share to just over the highest so a week's rise shows.
pub fn line(title: &str, points: &[(String, f64)]) -> String {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 240.0;
    const LEFT: f64 = 56.0;
    const TOP: f64 = 30.0;
    const BOTTOM: f64 = 36.0;
    let shares = points.iter().map(|p| p.1.clamp(0.0, 1.0));
    let low = (shares.clone().fold(1.0, f64::min) * 10.0).floor() / 10.0;
    let high = ((shares.fold(0.0, f64::max) * 10.0).ceil() / 10.0).max(low + 0.1);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 { (WIDTH - LEFT - 20.0) / (points.len() - 1) as f64 } else { 0.0 };
    let x = |i: usize| LEFT + step * i as f64;
    let y = |share: f64| TOP + plot_h * (1.0 - (share.clamp(0.0, 1.0) - low) / (high - low));
    let mut svg = open(WIDTH as usize, HEIGHT as usize, title);
    for tick in [low, (low + high) / 2.0, high] {
        svg += &format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{:.0}%</text>",
            WIDTH - 10.0,
            LEFT - 6.0,
            y(tick) + 4.0,
            tick * 100.0,
            y = y(tick)
        );
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
    fn bars_are_labelled_and_escaped() {
        let svg = super::bars("落实率 <前十>", &[("湘潭大学".into(), 0.875), ("A&B".into(), 1.4)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("湘潭大学") && svg.contains("87.50%"));
        assert!(svg.contains("A&amp;B") && svg.contains("&lt;前十&gt;"));
        assert!(!svg.contains("width=\"-"), "shares above 1 are clamped");
    }
}
