// Chart panels: a plotly chart with a table view and a CSV download, loading/empty/error states.
import { downloadCsv, emptyState, errorBox, h, loading, mount, pct, table, unitValue } from "./ui.js";

export const COLORS = ["#4f46e5", "#06b6d4", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#64748b"];
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1d2433" };

function layout(extra = {}) {
  return {
    margin: { l: 56, r: 16, t: 8, b: 40 },
    font: FONT,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    colorway: COLORS,
    hovermode: "closest",
    showlegend: false,
    legend: { orientation: "h", y: -0.2 },
    xaxis: { gridcolor: "#eef1f6", zeroline: false, automargin: true },
    yaxis: { gridcolor: "#eef1f6", zeroline: false, automargin: true },
    ...extra,
  };
}

export function plot(el, traces, extra = {}) {
  window.Plotly.newPlot(el, traces, layout(extra), { displayModeBar: false, responsive: true });
}

/** A tiny line without axes (KPI card sparklines). */
export function sparkline(el, x, y, color = COLORS[0]) {
  window.Plotly.newPlot(el, [{ x, y, type: "scatter", mode: "lines", line: { color, width: 2 }, fill: "tozeroy", fillcolor: `${color}1a`, hoverinfo: "x+y" }], {
    margin: { l: 0, r: 0, t: 0, b: 0 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    xaxis: { visible: false }, yaxis: { visible: false }, showlegend: false, font: FONT,
  }, { displayModeBar: false, staticPlot: false, responsive: true });
}

/**
 * A card with a chart of data loaded by ``fetcher`` (a Table: {columns, rows, title}).
 * ``draw(el, data)`` plots; the "Table" button shows the same rows; "CSV" downloads them (or
 * opens ``csvHref(data)`` when the API can export the full result).
 */
export function chartCard(title, fetcher, draw, { tall = false, note, csvName, columns } = {}) {
  const body = h("div");
  let data = null;
  let showTable = false;
  const toggle = h("button.btn.small", { type: "button", "aria-pressed": "false", onclick: () => { showTable = !showTable; render(); } }, "Table");
  const csv = h("button.btn.small", { type: "button", onclick: () => data && downloadCsv(`${csvName || title.toLowerCase().replace(/\W+/g, "_")}.csv`, columns || data.columns, data.rows) }, "CSV");
  const card = h("section.card", { "aria-label": title },
    h("header", {}, h("h2", {}, title), h("div.chart-tools", {}, toggle, csv)),
    note ? h("p.muted.small", { style: "margin:0 0 .5rem" }, note) : null,
    body);
  function render() {
    toggle.textContent = showTable ? "Chart" : "Table";
    toggle.setAttribute("aria-pressed", String(showTable));
    if (!data.rows.length) return mount(body, emptyState("No data in this range yet."));
    if (showTable) return mount(body, table(columns || data.columns, data.rows, { caption: title }));
    const el = h(tall ? "div.chart.tall" : "div.chart", { role: "img", "aria-label": `${title} chart` });
    mount(body, el);
    draw(el, data);
  }
  async function start() {
    mount(body, loading());
    try {
      data = await fetcher();
      render();
    } catch (error) {
      mount(body, errorBox(error, start));
    }
  }
  start();
  return card;
}

export function col(rows, name) {
  return rows.map((r) => r[name]);
}

/** Monthly cohorts × months since the first order, coloured by the share buying again. */
export function cohortHeatmap(fetcher) {
  return chartCard("Cohort retention", fetcher, (el, data) => {
    const cohorts = [...new Set(col(data.rows, "cohort_month"))].slice(-18);
    const months = [...new Set(col(data.rows, "month_number"))].sort((a, b) => a - b);
    const z = cohorts.map((c) => months.map((m) => {
      const r = data.rows.find((row) => row.cohort_month === c && row.month_number === m);
      return r ? r.retention_rate : null;
    }));
    plot(el, [{ type: "heatmap", z, x: months.map((m) => `M${m}`), y: cohorts.map((c) => c.slice(0, 7)), colorscale: [[0, "#eef2ff"], [0.5, "#818cf8"], [1, "#312e81"]], zmin: 0, zmax: 0.6,
      hovertemplate: "Cohort %{y}, month %{x}: %{z:.1%}<extra></extra>", colorbar: { tickformat: ".0%", thickness: 12 } }],
    { margin: { l: 70, r: 16, t: 8, b: 40 }, yaxis: { autorange: "reversed", type: "category" }, xaxis: { type: "category" } });
  }, { tall: true, note: "Share of each monthly acquisition cohort buying again N months later (last 18 cohorts).", csvName: "cohort_retention" });
}


function delta(row, direction) {
  if (row.change_pct === null || row.change_pct === undefined) return h("span.delta.flat", {}, "no previous data");
  const good = direction === "lower_is_better" ? row.change_pct < 0 : row.change_pct > 0;
  const cls = Math.abs(row.change_pct) < 0.0005 ? "flat" : good ? "up" : "down";
  const arrow = row.change_pct > 0 ? "▲" : row.change_pct < 0 ? "▼" : "•";
  return h(`span.delta.${cls}`, { title: "Change against the previous period of the same length" }, `${arrow} ${pct(Math.abs(row.change_pct))} vs previous`);
}

/** A KPI card of a /kpi/summary row (value, change, optional sparkline of [x, y]). */
export function kpiCard(row, direction, series) {
  const spark = series ? h("div.spark", { "aria-hidden": "true" }) : null;
  const card = h("section.card.kpi", { "data-kpi": row.kpi, "aria-label": row.label },
    h("div.label", {}, row.label), h("div.value", {}, unitValue(row.value, row.unit)), delta(row, direction), spark);
  if (spark) requestAnimationFrame(() => sparkline(spark, series[0], series[1]));
  return card;
}
