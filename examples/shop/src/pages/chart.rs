//! Small inline SVG bar charts (no JavaScript, no floats: bar heights are integer
//! arithmetic on the values' minor units).

use std::fmt::Write;

/// One bar: its label (under it) and value, with the text shown in its tooltip.
pub(super) struct Bar {
    pub(super) label: String,
    pub(super) value: i64,
    pub(super) title: String,
}

const WIDTH: i64 = 480;
const HEIGHT: i64 = 180;
const AXIS: i64 = 20;

/// A bar chart of `bars` as an `<svg>` element with the id `id`; every bar has
/// `data-value` so tests can read what is drawn.
pub(super) fn bars(id: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = WIDTH / n;
    let plot = HEIGHT - AXIS;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img">"#,
        escape(id)
    );
    let _ = write!(
        svg,
        r##"<line x1="0" y1="{plot}" x2="{WIDTH}" y2="{plot}" stroke="#999"/>"##
    );
    for (i, bar) in bars.iter().enumerate() {
        let x = i64::try_from(i).unwrap_or(0) * slot;
        let height = bar.value.max(0) * (plot - 10) / max;
        let _ = write!(
            svg,
            r##"<rect class="bar" data-value="{}" x="{}" y="{}" width="{}" height="{}" fill="#3b6ea5"><title>{}</title></rect>"##,
            bar.value,
            x + 2,
            plot - height,
            (slot - 4).max(1),
            height,
            escape(&bar.title)
        );
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="9" text-anchor="middle" fill="#555">{}</text>"##,
            x + slot / 2,
            HEIGHT - 6,
            escape(&bar.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
