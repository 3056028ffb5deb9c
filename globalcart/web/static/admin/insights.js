// Analysis pages: customers (cohorts, LTV, RFM, churn risk, CLV), products & operations
// (inventory, profitability, SLA) and marketing (campaign ROI, ROAS, spend).
import { api } from "../js/api.js";
import { COLORS, chartCard, cohortHeatmap, col, plot } from "../js/charts.js";
import { h, label, mount, pct, table } from "../js/ui.js";
import { range, rangePicker, rangeQuery } from "./range.js";

/** Several KPIs by one breakdown, merged into rows keyed by the breakdown value. */
async function kpisBy(names, by, extra = {}) {
  const tables = await Promise.all(names.map((n) => api(`/api/kpis/${n}${rangeQuery({ by, ...extra })}`)));
  const rows = new Map();
  tables[0].rows.forEach((r) => rows.set(r[by], { [by]: r[by] }));
  tables.forEach((t, i) => t.rows.forEach((r) => {
    if (rows.has(r[by])) rows.get(r[by])[names[i]] = r.value;
  }));
  return { title: tables[0].title, columns: [by, ...names], rows: [...rows.values()] };
}

function hbar(el, rows, y, x, { color = COLORS[0], xtitle, percent = false, smallestFirst = false } = {}) {
  const sign = smallestFirst ? -1 : 1;
  const sorted = [...rows].sort((a, b) => sign * ((a[x] ?? 0) - (b[x] ?? 0)));
  plot(el, [{ type: "bar", orientation: "h", y: col(sorted, y), x: col(sorted, x), marker: { color },
    hovertemplate: percent ? "%{y}: %{x:.1%}<extra></extra>" : "%{y}: %{x:,.2f}<extra></extra>" }],
  { bargap: 0.3, margin: { l: 150, r: 16, t: 8, b: 40 }, xaxis: { title: xtitle, tickformat: percent ? ".0%" : undefined, gridcolor: "#eef1f6" } });
}

function ltvCurves() {
  return chartCard("LTV by cohort at 7 / 30 / 90 days", () => api("/api/kpis/ltv_cohorts"), (el, data) => {
    const x = col(data.rows, "cohort_month");
    plot(el, [["ltv_7d_usd", "7 days"], ["ltv_30d_usd", "30 days"], ["ltv_90d_usd", "90 days"]].map(([c, n], i) => ({
      x, y: col(data.rows, c), type: "scatter", mode: "lines+markers", name: n, line: { color: COLORS[i], width: 2 }, marker: { size: 4 },
    })), { showlegend: true, yaxis: { title: "Net revenue per customer (USD)", gridcolor: "#eef1f6" } });
  }, { csvName: "ltv_cohorts" });
}

function rfm() {
  return chartCard("RFM segments", () => api("/api/admin/insights/rfm-segments"), (el, data) => {
    hbar(el, data.rows, "segment", "customers", { xtitle: "Customers" });
  }, { csvName: "rfm_segments" });
}

function clv() {
  return chartCard("Customer value by segment", () => api("/api/kpis/clv_by_segment"), (el, data) => {
    hbar(el, data.rows, "segment", "historical_clv_usd", { color: COLORS[3], xtitle: "Historical CLV per customer (USD)" });
  }, { csvName: "clv_by_segment" });
}

function churnRisk() {
  const body = h("div");
  const card = h("section.card", { "aria-label": "Churn risk" }, h("header", {}, h("h2", {}, "Churn risk: active customers to win back"),
    h("a.btn.small", { href: "/api/admin/insights/churn-risk?limit=500&format=csv", download: "churn_risk.csv" }, "CSV")), body);
  api("/api/admin/insights/churn-risk?limit=15").then((data) => mount(body,
    h("p.muted.small", {}, data.rows.some((r) => r.churn_score !== null) ? "Ranked by the churn model's score." : "Ranked by days since the last order (run `globalcart analytics churn` for model scores)."),
    table(data.columns, data.rows, { links: { customer_id: (r) => `#/customers/${r.customer_id}`, email: (r) => `#/customers/${r.customer_id}` } })))
    .catch((error) => mount(body, h("div.alert.error", { role: "alert" }, error.message)));
  return card;
}

export function customersAnalyticsView(main) {
  mount(main, h("div.page-head", {}, h("h1", {}, "Customers"), h("p.muted", { style: "margin:0" }, "Retention, value and risk across all history")),
    h("div.stack", {}, h("div.grid.two", {}, cohortHeatmap(() => api("/cohorts/retention")), ltvCurves()), h("div.grid.two", {}, rfm(), clv()), churnRisk()));
}

function inventory() {
  return chartCard("Inventory alerts: days of cover", () => api("/inventory/alerts?limit=200"), (el, data) => {
    const rows = [...data.rows].sort((a, b) => (a.days_of_cover ?? 1e9) - (b.days_of_cover ?? 1e9)).slice(0, 15)
      .map((r) => ({ ...r, item: `${r.product} · ${r.fulfillment_center}` }));
    hbar(el, rows, "item", "days_of_cover", { color: COLORS[4], xtitle: "Days of cover at the last 28 days' sales", smallestFirst: true });
  }, { tall: true, note: "Products below their reorder point (available < reorder point), shortest cover first.", csvName: "inventory_alerts",
    columns: ["product", "category", "fulfillment_center", "available", "reorder_point", "inbound", "units_sold_28d", "days_of_cover"] });
}

function profitability(by) {
  return chartCard(`Profitability by ${by}`, () => kpisBy(["gross_profit", "gross_margin", "item_net_revenue"], by, by === "brand" ? { limit: 15 } : {}), (el, data) => {
    const rows = [...data.rows].sort((a, b) => (a.gross_profit ?? 0) - (b.gross_profit ?? 0));
    plot(el, [
      { type: "bar", orientation: "h", y: col(rows, by), x: col(rows, "gross_profit"), name: "Gross profit", marker: { color: COLORS[3] }, text: rows.map((r) => pct(r.gross_margin)), textposition: rows.length > 10 ? "none" : "auto", hovertemplate: "%{y}: $%{x:,.0f} (margin %{text})<extra></extra>" },
    ], { margin: { l: 150, r: 16, t: 8, b: 40 }, xaxis: { title: "Gross profit (USD); label: gross margin", gridcolor: "#eef1f6" } });
  }, { csvName: `profitability_by_${by}` });
}

function sla(by) {
  return chartCard(`SLA breach rate by ${label(by).toLowerCase()}`, () => api(`/api/kpis/sla_breach_rate${rangeQuery({ by })}`), (el, data) => {
    hbar(el, data.rows, by, "value", { color: COLORS[2], xtitle: "Deliveries later than promised", percent: true });
  }, { csvName: `sla_by_${by}` });
}

export function commerceView(main) {
  mount(main, h("div.page-head", {}, h("h1", {}, "Products & operations"), rangePicker(() => commerceView(main))),
    h("div.stack", {}, inventory(), h("div.grid.two", {}, profitability("category"), profitability("brand")),
      h("div.grid.two", {}, sla("fulfillment_center"), sla("carrier"))));
}

function campaignRoi() {
  return chartCard("Campaign ROI", () => kpisBy(["marketing_roi", "marketing_spend", "attributed_revenue"], "campaign"), (el, data) => {
    const rows = [...data.rows].filter((r) => r.marketing_roi !== null && r.marketing_roi !== undefined);
    const sorted = rows.sort((a, b) => a.marketing_roi - b.marketing_roi);
    plot(el, [{ type: "bar", orientation: "h", y: col(sorted, "campaign"), x: col(sorted, "marketing_roi"),
      marker: { color: sorted.map((r) => (r.marketing_roi >= 0 ? COLORS[3] : COLORS[4])) }, hovertemplate: "%{y}: ROI %{x:.2f}<extra></extra>" }],
    { margin: { l: 190, r: 16, t: 8, b: 40 }, xaxis: { title: "ROI = (attributed revenue − spend) / spend", gridcolor: "#eef1f6" } });
  }, { tall: true, csvName: "campaign_roi" });
}

function channels() {
  return chartCard("Spend and attributed revenue by channel", () => kpisBy(["marketing_spend", "attributed_revenue", "roas"], "marketing_channel"), (el, data) => {
    const x = col(data.rows, "marketing_channel");
    plot(el, [
      { type: "bar", x, y: col(data.rows, "marketing_spend"), name: "Spend", marker: { color: "#c7d2fe" } },
      { type: "bar", x, y: col(data.rows, "attributed_revenue"), name: "Attributed revenue", marker: { color: COLORS[0] } },
    ], { barmode: "group", showlegend: true, yaxis: { title: "USD", gridcolor: "#eef1f6" } });
  }, { csvName: "marketing_channels" });
}

export function marketingView(main) {
  mount(main, h("div.page-head", {}, h("h1", {}, "Marketing"), rangePicker(() => marketingView(main))),
    h("p.muted", {}, `Campaign results from ${range.start} to ${range.end}.`),
    h("div.grid.two", {}, campaignRoi(), channels()));
}
