//! Server-side SVG charts (plotters): readable without JavaScript, vector when printed, and
//! legible in black and white (series differ in lightness and marker shape, values are written
//! on the bars). Each chart comes with a data table in the page for screen readers.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format;
use crate::i18n::Locale;

/// Dark, light and middle tones that stay apart when printed in grey.
const SERIES_COLOURS: [RGBColor; 3] = [
    RGBColor(11, 92, 173),
    RGBColor(143, 190, 235),
    RGBColor(90, 100, 112),
];
const GRID: RGBColor = RGBColor(226, 230, 235);
const INK: RGBColor = RGBColor(27, 31, 36);
const FONT: &str = "sans-serif";

/// plotters writes text at about 0.8 of the size asked: sizes are asked a quarter bigger.
const fn px(size: u32) -> u32 {
    size * 5 / 4
}

/// A named series of values, one per category.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// How values are written on the chart.
#[derive(Clone, Copy)]
pub enum ValueFormat {
    Count,
    /// A ratio 0–1 written as a percentage.
    Percent,
    /// One decimal (ratings, scores).
    Decimal,
}

impl ValueFormat {
    fn write(self, v: f64, locale: Locale) -> String {
        match self {
            Self::Count => format::count(v.round() as i64, locale),
            Self::Percent => format::percent(Some(v), locale),
            Self::Decimal => format::decimal(Some(v), 1, locale),
        }
    }
}

/// What every chart needs besides its data.
pub struct ChartSpec<'a> {
    /// The id of the `<svg>` (the page's `<figure>` points at it).
    pub id: &'a str,
    pub title: &'a str,
    pub width: u32,
    pub height: u32,
    pub format: ValueFormat,
    /// French writes 3,5, 2 707 and 25 %.
    pub locale: Locale,
    /// A fixed top of the value axis (e.g. 1.0 for shares); the data's maximum otherwise.
    pub y_max: Option<f64>,
}

impl<'a> ChartSpec<'a> {
    /// A chart of counts whose value axis fits the data.
    pub fn counts(
        id: &'a str,
        title: &'a str,
        (width, height): (u32, u32),
        locale: Locale,
    ) -> Self {
        Self {
            id,
            title,
            width,
            height,
            format: ValueFormat::Count,
            locale,
            y_max: None,
        }
    }
}

/// Grouped vertical bars: one group per category, one bar per series, values on the bars.
pub fn bars(spec: &ChartSpec, categories: &[String], series: &[Series]) -> String {
    render(spec, |root| {
        let n = categories.len().max(1);
        let mut chart = category_axes(root, spec, categories, series)?;
        let groups = series.len().max(1) as f64;
        let bar_width = 0.8 / groups;
        for (s, one) in series.iter().enumerate() {
            let colour = SERIES_COLOURS[s % SERIES_COLOURS.len()];
            chart.draw_series(one.values.iter().enumerate().map(|(i, v)| {
                let x0 = i as f64 + 0.1 + s as f64 * bar_width;
                Rectangle::new([(x0, 0.0), (x0 + bar_width * 0.92, *v)], colour.filled())
            }))?;
            // The value above each bar: the chart reads without colour and without a ruler.
            let label_size = if n * series.len() > 24 { 11 } else { 14 };
            chart.draw_series(one.values.iter().enumerate().map(|(i, v)| {
                let x = i as f64 + 0.1 + (s as f64 + 0.46) * bar_width;
                Text::new(
                    spec.format.write(*v, spec.locale),
                    (x, *v),
                    (FONT, px(label_size))
                        .into_font()
                        .color(&INK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            }))?;
        }
        category_labels(root, &chart, categories, slanted(spec, categories))?;
        legend(root, series, spec.width)?;
        Ok(())
    })
}

/// Lines across categories (a figure's trend over the tour's stops, days before a stop),
/// with a different marker per series.
pub fn lines(spec: &ChartSpec, categories: &[String], series: &[Series]) -> String {
    render(spec, |root| {
        let mut chart = category_axes(root, spec, categories, series)?;
        for (s, one) in series.iter().enumerate() {
            let colour = SERIES_COLOURS[s % SERIES_COLOURS.len()];
            let points: Vec<(f64, f64)> = one
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64 + 0.5, *v))
                .collect();
            chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))?;
            if s % 2 == 0 {
                chart.draw_series(points.iter().map(|p| Circle::new(*p, 5, colour.filled())))?;
            } else {
                chart.draw_series(
                    points
                        .iter()
                        .map(|p| TriangleMarker::new(*p, 6, colour.filled())),
                )?;
            }
        }
        category_labels(root, &chart, categories, slanted(spec, categories))?;
        legend(root, series, spec.width)?;
        Ok(())
    })
}

/// Horizontal bars, longest first as given (the funnel), values written after each bar.
pub fn horizontal_bars(spec: &ChartSpec, categories: &[String], values: &[f64]) -> String {
    render(spec, |root| {
        let n = categories.len().max(1);
        let top = spec
            .y_max
            .unwrap_or_else(|| values.iter().copied().fold(0.0, f64::max) * 1.2)
            .max(1.0);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .y_label_area_size(200)
            .x_label_area_size(10)
            .build_cartesian_2d(0f64..top, 0f64..n as f64)?;
        for (i, v) in values.iter().enumerate() {
            let y0 = (n - i - 1) as f64 + 0.15;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y0), (*v, y0 + 0.7)],
                SERIES_COLOURS[0].filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(" {}", spec.format.write(*v, spec.locale)),
                (*v, y0 + 0.35),
                (FONT, px(15))
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
            let (x, y) = chart.backend_coord(&(0.0, y0 + 0.35));
            root.draw(&Text::new(
                categories[i].clone(),
                (x - 10, y),
                (FONT, px(16))
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        Ok(())
    })
}

type Root<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;
type DrawResult = Result<(), Box<dyn std::error::Error + 'static>>;

/// The axes of a chart over categories: room under them for their names, above for the legend.
fn category_axes<'a, 'b>(
    root: &'a Root<'b>,
    spec: &ChartSpec,
    categories: &[String],
    series: &[Series],
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error + 'static>> {
    let n = categories.len().max(1);
    let top = axis_top(spec, series);
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_top(if series.len() > 1 { 36 } else { 12 })
        .x_label_area_size(label_area(spec, categories))
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..n as f64, 0f64..top)?;
    mesh(&mut chart, spec)?;
    Ok(chart)
}

/// Draws into an SVG string and makes it accessible (`role="img"`, a `<title>`).
fn render(spec: &ChartSpec, draw: impl FnOnce(&Root) -> DrawResult) -> String {
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, (spec.width, spec.height)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| Box::new(e) as _))
    };
    if let Err(e) = drawn {
        // A chart that cannot be drawn must not take the page down: the data table remains.
        tracing::warn!(chart = spec.id, error = %e, "chart not drawn");
        return String::new();
    }
    let title = escape(spec.title);
    svg.replacen(
        "<svg ",
        &format!(
            r#"<svg id="{id}" role="img" aria-labelledby="{id}-title" preserveAspectRatio="xMinYMin meet" "#,
            id = spec.id
        ),
        1,
    )
    .replacen(
        '>',
        &format!(r#"><title id="{}-title">{title}</title>"#, spec.id),
        1,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Category names are slanted when they would not fit side by side under their slot.
fn slanted(spec: &ChartSpec, categories: &[String]) -> bool {
    let slot = f64::from(spec.width.saturating_sub(90)) / categories.len().max(1) as f64;
    let longest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    longest as f64 * 8.0 > slot
}

/// Room under the axis for the category names: one line, or the longest name slanted.
fn label_area(spec: &ChartSpec, categories: &[String]) -> u32 {
    if slanted(spec, categories) {
        let longest = categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        (u32::try_from(longest).unwrap_or(20) * 8 + 16).min(spec.height / 2)
    } else {
        44
    }
}

fn axis_top(spec: &ChartSpec, series: &[Series]) -> f64 {
    spec.y_max.unwrap_or_else(|| {
        let max = series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max);
        // Room above the tallest bar for its value.
        (max * 1.15).max(1.0)
    })
}

fn mesh(chart: &mut Chart, spec: &ChartSpec) -> DrawResult {
    let format = spec.format;
    let locale = spec.locale;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(RGBColor(120, 128, 138))
        .y_labels(6)
        .y_label_formatter(&move |v| match format {
            ValueFormat::Percent => ValueFormat::Percent.write(*v, locale),
            _ => {
                if v.fract().abs() < 1e-9 {
                    ValueFormat::Count.write(*v, locale)
                } else {
                    ValueFormat::Decimal.write(*v, locale)
                }
            }
        })
        .label_style((FONT, px(15)).into_font().color(&INK))
        .draw()?;
    Ok(())
}

/// Category names under the x axis, slanted when there are many.
fn category_labels(root: &Root, chart: &Chart, categories: &[String], slanted: bool) -> DrawResult {
    for (i, label) in categories.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        let style = (FONT, px(14)).into_font().color(&INK);
        if slanted {
            root.draw(&Text::new(
                label.clone(),
                (x, y + 8),
                style
                    .transform(FontTransform::Rotate270)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        } else {
            root.draw(&Text::new(
                label.clone(),
                (x, y + 8),
                style.pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
    }
    Ok(())
}

/// The series' names in a row above the chart, each with its swatch.
fn legend(root: &Root, series: &[Series], width: u32) -> DrawResult {
    if series.len() < 2 {
        return Ok(());
    }
    let mut x = i32::try_from(width / 6).unwrap_or(60);
    for (s, one) in series.iter().enumerate() {
        let colour = SERIES_COLOURS[s % SERIES_COLOURS.len()];
        root.draw(&Rectangle::new([(x, 10), (x + 16, 26)], colour.filled()))?;
        root.draw(&Text::new(
            one.name.clone(),
            (x + 22, 18),
            (FONT, px(15))
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += 40 + i32::try_from(one.name.chars().count() * 8).unwrap_or(80);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contents of the `<text>` elements.
    fn text_of(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>'))
            .map(|(_, rest)| {
                rest.split("</text>")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .collect()
    }

    fn spec() -> ChartSpec<'static> {
        ChartSpec {
            id: "c1",
            title: "Arrivées <par quart d'heure>",
            width: 640,
            height: 320,
            format: ValueFormat::Percent,
            locale: Locale::Fr,
            y_max: Some(1.0),
        }
    }

    #[test]
    fn a_chart_is_an_accessible_svg_with_its_values_written() {
        let svg = bars(
            &spec(),
            &["Paris".into(), "Strasbourg".into()],
            &[Series {
                name: "no-shows".into(),
                values: vec![0.25, 0.5],
            }],
        );
        assert!(svg.starts_with("<svg id=\"c1\" role=\"img\""), "{svg}");
        assert!(svg.contains("<title id=\"c1-title\">Arrivées &lt;par quart d'heure&gt;</title>"));
        let texts = text_of(&svg);
        assert!(texts.contains(&"25\u{a0}%".to_owned()), "{texts:?}");
        assert!(texts.contains(&"50\u{a0}%".to_owned()));
        assert!(texts.contains(&"Strasbourg".to_owned()));
    }

    #[test]
    fn empty_data_still_draws_a_chart() {
        let svg = lines(&spec(), &[], &[]);
        assert!(svg.contains("<svg id=\"c1\""));
        let svg = horizontal_bars(&spec(), &["Inscrits".into()], &[0.0]);
        assert!(text_of(&svg).contains(&"Inscrits".to_owned()));
    }
}
