//! The one chart component every page shares. The options are a `charming::Chart`, built
//! by the page from the same data it shows as a table; in the browser ECharts draws it. The
//! ECharts script (a custom build with only the chart types used, `public/echarts/`) is
//! fetched the first time a page draws a chart, never in the first load of a page without
//! one. Every chart has a text alternative (its `children`: a table or a sentence) and a
//! label for screen readers.

use charming::Chart;
use leptos::prelude::*;

/// Where the vendored ECharts build is served from.
pub const ECHARTS_SRC: &str = "/echarts/echarts.min.js";

/// The house frame of a chart with axes: transparent background, a legend on top (scrolling
/// when it has many entries), a tooltip for the whole axis point, and a grid that keeps
/// its labels inside the box with the given margins (top, right, bottom, left, in px).
pub fn axis_frame(margins: [f64; 4], many_series: bool) -> Chart {
    use charming::component::{Grid, Legend, LegendType};
    use charming::element::{Tooltip, Trigger};
    let legend = Legend::new().top(0);
    let [top, right, bottom, left] = margins;
    Chart::new()
        .background_color("transparent")
        .legend(if many_series {
            legend.type_(LegendType::Scroll)
        } else {
            legend
        })
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(
            Grid::new()
                .left(left)
                .right(right)
                .top(top)
                .bottom(bottom)
                .contain_label(true),
        )
}

/// A chart with its text alternative. `chart` is re-read whenever a signal it reads changes
/// (the chart is updated in place); `None` draws nothing.
#[component]
pub fn ChartView<F>(
    /// The chart element's id, unique on the page.
    id: &'static str,
    /// What the chart shows, in words (read by screen readers).
    #[prop(into)]
    label: String,
    /// Height in CSS pixels; the width follows the container.
    #[prop(default = 320)]
    height: u32,
    /// Builds the chart's options.
    chart: F,
    /// The text alternative: a table or a sentence with the same figures.
    children: Children,
) -> impl IntoView
where
    F: Fn() -> Option<Chart> + Send + Sync + 'static,
{
    let chart = std::sync::Arc::new(chart);
    #[cfg(feature = "hydrate")]
    {
        let chart = chart.clone();
        browser::draw(id, height, move || chart());
    }
    // Without anything to draw (no objective for a gauge …) the canvas takes no room: the
    // text alternative says it.
    let style = move || match chart() {
        Some(_) => format!("height:{height}px"),
        None => "display:none".to_string(),
    };
    view! {
        <figure class="chart">
            <div id=id class="chart-canvas" role="img" aria-label=label style=style></div>
            <figcaption class="chart-alt">{children()}</figcaption>
        </figure>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use charming::theme::Theme;
    use charming::{Chart, Echarts, WasmRenderer};
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};

    /// Draws (and redraws) the chart once ECharts is loaded; frees it with the component.
    pub fn draw<F>(id: &'static str, height: u32, chart: F)
    where
        F: Fn() -> Option<Chart> + Send + Sync + 'static,
    {
        let instance = StoredValue::new_local(None::<Echarts>);
        Effect::new(move |_| {
            let options = chart();
            leptos::task::spawn_local(async move {
                if load_echarts().await.is_err() {
                    leptos::logging::warn!("charts: {} could not be loaded", super::ECHARTS_SRC);
                    return;
                }
                let Some(options) = options else {
                    if let Some(Some(old)) = instance.try_update_value(Option::take) {
                        dispose(&old);
                    }
                    return;
                };
                let updated = instance.try_update_value(|current| match current {
                    Some(e) => {
                        WasmRenderer::update(e, &options);
                        true
                    }
                    None => false,
                });
                if updated == Some(false) {
                    let renderer = WasmRenderer::new_opt(None, Some(height)).theme(theme());
                    match renderer.render(id, &options) {
                        Ok(e) => instance.set_value(Some(e)),
                        Err(e) => leptos::logging::warn!("charts: {e:?}"),
                    }
                }
            });
        });
        on_cleanup(move || {
            if let Some(Some(old)) = instance.try_update_value(Option::take) {
                dispose(&old);
            }
        });
    }

    /// ECharts' dark theme when the page is dark (the TV, or a dark system setting).
    fn theme() -> Theme {
        let dark_page = document().query_selector(".tv").ok().flatten().is_some();
        let dark_system = window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        if dark_page || dark_system {
            Theme::Dark
        } else {
            Theme::Default
        }
    }

    fn dispose(chart: &Echarts) {
        let value: &JsValue = chart.as_ref();
        if let Ok(f) = js_sys::Reflect::get(value, &"dispose".into()) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call0(value);
            }
        }
    }

    /// Adds the ECharts script to the page once, and waits until `window.echarts` exists.
    async fn load_echarts() -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let loaded = || js_sys::Reflect::has(&window, &"echarts".into()).unwrap_or(false);
        if loaded() {
            return Ok(());
        }
        let document = window.document().ok_or(JsValue::NULL)?;
        let script: web_sys::HtmlScriptElement = match document.get_element_by_id("echarts-script")
        {
            Some(el) => el.dyn_into()?,
            None => {
                let s: web_sys::HtmlScriptElement =
                    document.create_element("script")?.dyn_into()?;
                s.set_id("echarts-script");
                s.set_src(super::ECHARTS_SRC);
                document.head().ok_or(JsValue::NULL)?.append_child(&s)?;
                s
            }
        };
        let done = js_sys::Promise::new(&mut |resolve, reject| {
            let _ = script.add_event_listener_with_callback("load", &resolve);
            let _ = script.add_event_listener_with_callback("error", &reject);
        });
        if loaded() {
            return Ok(());
        }
        wasm_bindgen_futures::JsFuture::from(done).await.map(|_| ())
    }
}
