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

const TOP = 5; // breakdown values drawn one by one; the rest are summed into "Other"
const TOP_LINES = 3; // AOV lines: more would tangle (AOV cannot be summed into "Other")
const OTHER_COLOR = "#cbd5e1";

function byLabel() {
  return label(range.by).toLowerCase();
}

/** Rows of a (period × breakdown) table: the top breakdown values by net revenue, a function
 * giving a row's group (a top value or "Other") and the sorted periods. */
function split(rows, by) {
  const totals = new Map();
  for (const r of rows) totals.set(r[by] ?? "Unknown", (totals.get(r[by] ?? "Unknown") || 0) + (r.net_revenue || 0));
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([key]) => key);
  const group = (r) => (top.includes(r[by] ?? "Unknown") ? r[by] ?? "Unknown" : "Other");
  const periods = [...new Set(col(rows, "period"))].sort();
  return { top, groups: totals.size > TOP ? [...top, "Other"] : top, group, periods };
}

function splitNote(top = TOP, other = true) {
  return `Split by ${byLabel()}: the ${top} values with the most net revenue${other ? ", the rest as Other" : ""}.`;
}

function sumBy(rows, periods, keep, value) {
  const sums = new Map(periods.map((p) => [p, 0]));
  for (const r of rows) if (keep(r)) sums.set(r.period, sums.get(r.period) + (r[value] || 0));
  return periods.map((p) => sums.get(p));
}

// The trends are split by the breakdown: one stacked bar per breakdown value.
function trends() {
  const g = grain();
  const by = range.by;
  return chartCard(`Revenue and orders by ${g}`, () => api(`/kpi/revenue${rangeQuery({ grain: g, by })}`), (el, data) => {
    const { groups, group, periods } = split(data.rows, by);
    const bars = groups.map((name, i) => ({
      x: periods, y: sumBy(data.rows, periods, (r) => group(r) === name, "net_revenue"), type: "bar", name: String(name),
      marker: { color: name === "Other" ? OTHER_COLOR : COLORS[i % COLORS.length] }, hovertemplate: `%{x}<br>$%{y:,.2f}<extra>${name}</extra>`,
    }));
    plot(el, [...bars,
      { x: periods, y: sumBy(data.rows, periods, () => true, "orders"), type: "scatter", mode: "lines", name: "Orders (all)", yaxis: "y2", line: { color: COLORS[7], width: 2 } },
    ], { barmode: "stack", showlegend: true, margin: { l: 56, r: 56, t: 8, b: 40 }, yaxis: { title: "Net revenue (USD)", gridcolor: "#eef1f6", rangemode: "tozero" }, yaxis2: { title: "Orders", overlaying: "y", side: "right", showgrid: false, automargin: true, rangemode: "tozero", tickmode: "auto" } });
  }, { note: splitNote(), columns: ["period", by, "net_revenue", "orders", "aov"], csvName: `revenue_trend_by_${by}` });
}

function aovTrend() {
  const g = grain();
  const by = range.by;
  return chartCard(`Average order value by ${g}`, () => api(`/kpi/revenue${rangeQuery({ grain: g, by })}`), (el, data) => {
    const { top, periods } = split(data.rows, by);
    plot(el, top.slice(0, TOP_LINES).map((name, i) => {
      const values = new Map(data.rows.filter((r) => (r[by] ?? "Unknown") === name).map((r) => [r.period, r.aov]));
      return { x: periods, y: periods.map((p) => values.get(p) ?? null), type: "scatter", mode: "lines+markers", name: String(name), connectgaps: true,
        line: { color: COLORS[i % COLORS.length], width: 2 }, marker: { size: 4 } };
    }), { showlegend: true, yaxis: { title: "AOV (USD)", gridcolor: "#eef1f6" } });
  }, { note: `${splitNote(TOP_LINES, false)} Periods without orders are bridged.`, columns: ["period", by, "aov", "orders"], csvName: `aov_trend_by_${by}` });
}

async function totalsBy(by) {
  const [revenue, orders, aov] = await Promise.all([
    api(`/api/kpis/net_revenue${rangeQuery({ by, compare: "previous_period" })}`),
    api(`/api/kpis/orders${rangeQuery({ by })}`), api(`/api/kpis/aov${rangeQuery({ by })}`),
  ]);
  const more = (table) => new Map(table.rows.map((r) => [r[by], r.value]));
  const [orderCount, aovValue] = [more(orders), more(aov)];
  const rows = revenue.rows.map((r) => ({ [by]: r[by] ?? "Unknown", net_revenue: r.value, net_revenue_previous: r.previous_value, net_revenue_change_pct: r.change_pct,
    orders: orderCount.get(r[by]) ?? null, aov: aovValue.get(r[by]) ?? null }));
  return { title: `Net revenue by ${by}`, columns: [by, "net_revenue", "net_revenue_previous", "net_revenue_change_pct", "orders", "aov"], rows };
}

function breakdown() {
  const by = range.by;
  return chartCard(`Net revenue by ${byLabel()}`, () => totalsBy(by), (el, data) => {
    const rows = [...data.rows].sort((a, b) => (b.net_revenue || 0) - (a.net_revenue || 0)).slice(0, 12).reverse();
    plot(el, [
      { y: col(rows, by), x: col(rows, "net_revenue_previous"), type: "bar", orientation: "h", name: "Previous period", marker: { color: "#c7d2fe" } },
      { y: col(rows, by), x: col(rows, "net_revenue"), type: "bar", orientation: "h", name: "This period", marker: { color: COLORS[0] } },
    ], { barmode: "group", showlegend: true, margin: { l: 130, r: 16, t: 8, b: 40 }, xaxis: { title: "Net revenue (USD)", gridcolor: "#eef1f6" } });
  }, { csvName: `revenue_by_${by}` });
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
      h("div.page-head", {}, h("div", {}, h("h1", {}, "Overview"), h("p.muted", { style: "margin:0", id: "range-text" }, `${range.start} – ${range.end}, compared with the previous period`)),
        rangePicker(() => overviewView(main), { breakdown: true })),
      h("p.muted.small", { id: "breakdown-scope" }, h("strong", {}, `Breakdown by ${byLabel()}`),
        " splits the revenue and orders trend, the average order value trend and the net revenue breakdown; the KPI cards, funnel, leakage and forecast are totals."),
      cards, h("div", { style: "height:1rem" }), panels);
    kpiCards(cards);
    mount(panels, h("div.grid.two", {}, trends(), aovTrend()), h("div.grid.two", {}, breakdown(), funnel()),
      h("div.grid.two", {}, leakage(), forecast()));
  };
  render();
}
