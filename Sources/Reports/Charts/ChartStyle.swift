/// The `<style>` every chart carries, so an SVG looks right on its own (light and dark).
///
/// Every selector is wrapped in `:where(…)`, which has zero specificity: any rule of the page
/// that embeds the chart wins, so the page themes it. The colours read the page's custom
/// properties (`--fg`, `--muted`, `--series-1` … `--series-5`, as `report.html` defines them)
/// and fall back to the same palette when they are missing. A series class only sets `color`;
/// lines, bars and swatches paint with `currentColor`.
enum ChartStyle {
    static let css = """
    :where(.stress-chart){color-scheme:light dark;color:var(--fg,#1f2328);font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:12px}
    :where(.stress-chart text){fill:currentColor;stroke:none}
    :where(.stress-chart .axis){stroke:currentColor;stroke-opacity:.55;fill:none}
    :where(.stress-chart .grid){stroke:currentColor;stroke-opacity:.13;fill:none}
    :where(.stress-chart .tick){font-size:11.5px;fill-opacity:.85}
    :where(.stress-chart .axis-label){font-size:12px;fill-opacity:.85}
    :where(.stress-chart .series-1){color:var(--series-1,#0969da)}
    :where(.stress-chart .series-2){color:var(--series-2,#bf8700)}
    :where(.stress-chart .series-3){color:var(--series-3,#cf222e)}
    :where(.stress-chart .series-4){color:var(--series-4,#8250df)}
    :where(.stress-chart .series-5){color:var(--series-5,#1a7f37)}
    :where(.stress-chart .series-baseline){color:var(--muted,#59636e)}
    :where(.stress-chart .line){fill:none;stroke:currentColor;stroke-width:1.75;stroke-linejoin:round;stroke-linecap:round}
    :where(.stress-chart .dashed){stroke-dasharray:6 4}
    :where(.stress-chart .bar,.stress-chart .swatch){fill:currentColor;stroke:none}
    :where(.stress-chart .band-stage){fill:currentColor;fill-opacity:.035}
    :where(.stress-chart .band-stage.band-alt){fill-opacity:.08}
    :where(.stress-chart .band-warmup){fill:currentColor;fill-opacity:.12}
    :where(.stress-chart .band-fault){fill:var(--series-3,#cf222e);fill-opacity:.16;stroke:none}
    :where(.stress-chart .band-pause){fill:none;stroke:var(--muted,#59636e);stroke-width:1.5;stroke-dasharray:3 3}
    :where(.stress-chart .band-edge){stroke:currentColor;stroke-opacity:.3;stroke-dasharray:2 3}
    :where(.stress-chart .band-label){font-size:11px;fill-opacity:.8}
    :where(.stress-chart .legend text){font-size:12px}
    :where(.stress-chart .chart-note){font-size:14px;fill-opacity:.6}
    @media (prefers-color-scheme:dark){
    :where(.stress-chart){color:var(--fg,#e6edf3)}
    :where(.stress-chart .series-1){color:var(--series-1,#4493f8)}
    :where(.stress-chart .series-2){color:var(--series-2,#d29922)}
    :where(.stress-chart .series-3){color:var(--series-3,#f85149)}
    :where(.stress-chart .series-4){color:var(--series-4,#ab7df8)}
    :where(.stress-chart .series-5){color:var(--series-5,#3fb950)}
    :where(.stress-chart .series-baseline){color:var(--muted,#9198a1)}
    :where(.stress-chart .band-fault){fill:var(--series-3,#f85149);fill-opacity:.2}
    :where(.stress-chart .band-pause){stroke:var(--muted,#9198a1)}
    }
    """
}
