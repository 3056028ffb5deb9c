// Overview: KPI cards (change vs the previous period, sparklines), trends, breakdown, funnel,
// forecast with prediction intervals.
import { api } from "../js/api.js";
import { COLORS, chartCard, col, kpiCard, plot } from "../js/charts.js";
import { errorBox, h, label, loading, mount } from "../js/ui.js";
import { grain, kpiCatalogue, range, rangePicker, rangeQuery } from "./range.js";

const CARDS = ["net_revenue", "orders", "aov", "units", "active_customers", "new_customers", "conversion_rate", "payment_failure_rate", "gross_margin", "return_rate"];
const SPARK = new Set(["net_revenue", "orders", "aov", "units", "new_customers", "conversion_rate"]);

async function kpiCards(target) {
  mount(target, loading("Loading KPIs…"));
  try {
    const [summary, daily, info] = await Promise.all([
      api(`/kpi/summary${rangeQuery()}`), api(`/metrics/daily${rangeQuery()}`), kpiCatalogue(),
    ]);
    const rows = Object.fromEntries(summary.rows.map((r) => [r.kpi, r]));
    const cards = CARDS.filter((k) => rows[k]).map((k) => kpiCard(rows[k], info[k] && info[k].direction,
      SPARK.has(k) ? [col(daily.rows, "period"), col(daily.rows, k)] : null));
    mount(target, cards);
  } catch (error) {
    mount(target, errorBox(error, () => kpiCards(target)));
  }
}

function trends() {
  const g = grain();
  return chartCard(`Revenue and orders by ${g}`, () => api(`/kpi/revenue${rangeQuery({ grain: g })}`), (el, data) => {
    const x = col(data.rows, "period");
    plot(el, [
      { x, y: col(data.rows, "net_revenue"), type: "bar", name: "Net revenue", marker: { color: COLORS[0] }, hovertemplate: "%{x}<br>$%{y:,.2f}<extra>Net revenue</extra>" },
      { x, y: col(data.rows, "orders"), type: "scatter", mode: "lines", name: "Orders", yaxis: "y2", line: { color: COLORS[2], width: 2 } },
    ], { showlegend: true, margin: { l: 56, r: 56, t: 8, b: 40 }, yaxis: { title: "Net revenue (USD)", gridcolor: "#eef1f6" }, yaxis2: { title: "Orders", overlaying: "y", side: "right", showgrid: false, automargin: true } });
  }, { csvName: "revenue_trend" });
}

function aovTrend() {
  const g = grain();
  return chartCard(`Average order value by ${g}`, () => api(`/kpi/revenue${rangeQuery({ grain: g })}`), (el, data) => {
    plot(el, [{ x: col(data.rows, "period"), y: col(data.rows, "aov"), type: "scatter", mode: "lines+markers", line: { color: COLORS[1], width: 2 }, marker: { size: 4 } }],
      { yaxis: { title: "AOV (USD)", gridcolor: "#eef1f6" } });
  }, { columns: ["period", "aov", "orders"], csvName: "aov_trend" });
}

function breakdown() {
  const by = range.by;
  return chartCard(`Net revenue by ${label(by).toLowerCase()}`, () => api(`/kpi/revenue${rangeQuery({ by, compare: "previous_period" })}`), (el, data) => {
    const rows = [...data.rows].sort((a, b) => (b.net_revenue || 0) - (a.net_revenue || 0)).slice(0, 12).reverse();
    plot(el, [
      { y: col(rows, by), x: col(rows, "net_revenue_previous"), type: "bar", orientation: "h", name: "Previous period", marker: { color: "#c7d2fe" } },
      { y: col(rows, by), x: col(rows, "net_revenue"), type: "bar", orientation: "h", name: "This period", marker: { color: COLORS[0] } },
    ], { barmode: "group", showlegend: true, margin: { l: 130, r: 16, t: 8, b: 40 }, xaxis: { title: "Net revenue (USD)", gridcolor: "#eef1f6" } });
  }, { columns: [by, "net_revenue", "net_revenue_previous", "net_revenue_change_pct", "orders", "aov"], csvName: `revenue_by_${by}` });
}

const STAGES = [["product_view_sessions", "Viewed a product"], ["cart_sessions", "Added to cart"], ["checkout_sessions", "Started checkout"], ["payment_sessions", "Attempted payment"], ["order_sessions", "Placed an order"]];

function funnel() {
  return chartCard("Conversion funnel", async () => {
    const data = await api(`/api/admin/funnel/summary${rangeQuery()}`);
    const row = data.rows[0] || {};
    const rows = STAGES.map(([key, text], i) => {
      const previous = i ? row[STAGES[i - 1][0]] : null;
      return { stage: text, sessions: row[key] ?? 0, leakage_rate: previous ? 1 - (row[key] || 0) / previous : null };
    });
    return { ...data, columns: ["stage", "sessions", "leakage_rate"], rows: row.sessions ? rows : [], summary: row };
  }, (el, data) => {
    plot(el, [{ type: "funnel", y: col(data.rows, "stage"), x: col(data.rows, "sessions"), textinfo: "value+percent previous", marker: { color: ["#312e81", "#4338ca", "#4f46e5", "#6366f1", "#818cf8"] }, connector: { line: { color: "#e3e7ef" } } }],
      { margin: { l: 140, r: 16, t: 8, b: 24 } });
  }, { note: "Sessions reaching each stage; the percentage is the share kept from the previous stage (the rest leaks).", csvName: "funnel" });
}

const LEAKAGE = [["net_revenue", "Net revenue", "absolute"], ["payment_failure_loss", "Payment failures", "relative"],
  ["cart_abandonment_loss", "Abandoned carts (est.)", "relative"], ["net_revenue_after_leakage", "After leakage", "total"]];

function leakage() {
  return chartCard("Revenue leakage", async () => {
    const values = await Promise.all(LEAKAGE.map(([k]) => api(`/api/kpis/${k}${rangeQuery()}`)));
    const rows = LEAKAGE.map(([kpi, step], i) => ({ step, kpi, value_usd: values[i].rows[0] ? values[i].rows[0].value : null }));
    return { columns: ["step", "kpi", "value_usd"], rows: rows.some((r) => r.value_usd) ? rows : [] };
  }, (el, data) => {
    plot(el, [{ type: "waterfall", x: col(data.rows, "step"), measure: LEAKAGE.map((l) => l[2]),
      y: data.rows.map((r, i) => (LEAKAGE[i][2] === "relative" ? -r.value_usd : LEAKAGE[i][2] === "total" ? 0 : r.value_usd)),
      connector: { line: { color: "#cbd5e1" } }, decreasing: { marker: { color: COLORS[4] } }, increasing: { marker: { color: COLORS[3] } },
      totals: { marker: { color: COLORS[0] } }, hovertemplate: "%{x}: $%{y:,.0f}<extra></extra>" }],
    { yaxis: { title: "USD", gridcolor: "#eef1f6" } });
  }, { note: "Net revenue already excludes refunds; the losses are estimates (see the KPI definitions).", csvName: "revenue_leakage" });
}

function forecast() {
  return chartCard("Net revenue forecast (next 28 days)", () => api("/api/admin/insights/forecast?horizon=28"), (el, data) => {
    const past = data.rows.filter((r) => r.actual !== null);
    const future = data.rows.filter((r) => r.actual === null);
    const x = col(future, "date");
    const band = (lower, upper, color, name) => [
      { x, y: col(future, upper), type: "scatter", mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      { x, y: col(future, lower), type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: color, name },
    ];
    plot(el, [
      { x: col(past, "date"), y: col(past, "actual"), type: "scatter", mode: "lines", name: "Actual", line: { color: COLORS[7], width: 1.5 } },
      ...band("lower_95", "upper_95", "rgba(79,70,229,.12)", "95% interval"),
      ...band("lower_80", "upper_80", "rgba(79,70,229,.25)", "80% interval"),
      { x, y: col(future, "forecast"), type: "scatter", mode: "lines", name: "Forecast", line: { color: COLORS[0], width: 2.5 } },
    ], { showlegend: true, yaxis: { title: "Net revenue (USD)", gridcolor: "#eef1f6" } });
  }, { tall: true, note: "Damped-trend ETS with weekly seasonality fitted on the last year of daily net revenue; shaded: 80% and 95% prediction intervals.", csvName: "revenue_forecast" });
}

export function overviewView(main) {
  const cards = h("div.grid.kpis", { id: "kpi-cards" });
  const panels = h("div.stack");
  const render = () => {
    mount(main,
      h("div.page-head", {}, h("div", {}, h("h1", {}, "Overview"), h("p.muted", { style: "margin:0" }, `${range.start} – ${range.end}, compared with the previous period`)),
        rangePicker(() => overviewView(main), { breakdown: true })),
      cards, h("div", { style: "height:1rem" }), panels);
    kpiCards(cards);
    mount(panels, h("div.grid.two", {}, trends(), aovTrend()), h("div.grid.two", {}, breakdown(), funnel()),
      h("div.grid.two", {}, leakage(), forecast()));
  };
  render();
}
