//! Server-side SVG charts for reports: readable without scripts, printable,
//! and embedded in the page.

use kernel::web::table::escape;

/// A horizontal bar chart of shares (0..=1), one bar per item, labelled with
/// the name and the percentage.
pub fn bars(title: &str, items: &[(String, f64)]) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 220;
    const WIDTH: usize = 720;
    let plot = WIDTH - LABEL - 70;
    let height = 30 + items.len() * ROW + 10;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" class=\"chart\">\
         <title>{}</title><text x=\"0\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        escape(title),
        escape(title),
        escape(title)
    );
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

#[cfg(test)]
mod tests {
    #[test]
    fn bars_are_labelled_and_escaped() {
        let svg = super::bars("落实率 <前十>", &[("湘潭大学".into(), 0.875), ("A&B".into(), 1.4)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("湘潭大学") && svg.contains("87.50%"));
        assert!(svg.contains("A&amp;B") && svg.contains("&lt;前十&gt;"));
        assert!(!svg.contains("width=\"-"), "shares above 1 are clamped");
    }
}
