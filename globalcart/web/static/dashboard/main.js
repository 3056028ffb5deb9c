// The public KPI dashboard: open to all when the operator allows it, else to API-key holders
// and signed-in analysts.
import { api, useApiKey } from "../js/api.js";
import { COLORS, chartCard, cohortHeatmap, col, kpiCard, plot } from "../js/charts.js";
import { errorBox, field, formData, h, loading, mount } from "../js/ui.js";

const main = document.getElementById("content");
const KEY = "gc_dashboard_key";
const panel = (name) => () => api(`/api/public/panels/${name}`);
const LOWER_IS_BETTER = new Set(["refunds", "cart_abandonment_rate", "payment_failure_rate", "return_rate", "marketing_spend"]);

function monthly() {
  return chartCard("Monthly net revenue and growth", panel("growth"), (el, data) => {
    const rows = data.rows.slice(-18);
    const x = col(rows, data.columns[0]);
    const growth = data.columns.find((c) => /growth/.test(c));
    const revenue = data.columns.find((c) => /revenue/.test(c) && c !== growth);
    plot(el, [
      { type: "bar", x, y: col(rows, revenue), name: "Net revenue", marker: { color: COLORS[0] } },
      { type: "scatter", mode: "lines+markers", x, y: col(rows, growth), name: "Month-over-month growth", yaxis: "y2", line: { color: COLORS[2], width: 2 } },
    ], { showlegend: true, margin: { l: 56, r: 56, t: 8, b: 40 }, yaxis: { title: "USD", gridcolor: "#eef1f6" }, yaxis2: { overlaying: "y", side: "right", tickformat: ".0%", showgrid: false, automargin: true } });
  }, { csvName: "monthly_revenue" });
}

function conversion() {
  return chartCard("Conversion by traffic source", panel("conversion-by-source"), (el, data) => {
    const rows = [...data.rows].sort((a, b) => a.conversion_rate - b.conversion_rate);
    plot(el, [{ type: "bar", orientation: "h", y: col(rows, "traffic_source"), x: col(rows, "conversion_rate"), marker: { color: COLORS[1] }, hovertemplate: "%{y}: %{x:.1%}<extra></extra>" }],
      { margin: { l: 120, r: 16, t: 8, b: 40 }, xaxis: { tickformat: ".0%", gridcolor: "#eef1f6" } });
  }, { csvName: "conversion_by_source" });
}

function repeat() {
  return chartCard("Repeat purchase rate by cohort", panel("repeat-purchase"), (el, data) => {
    const rate = data.columns.find((c) => /rate/.test(c));
    plot(el, [{ type: "scatter", mode: "lines+markers", x: col(data.rows, data.columns[0]), y: col(data.rows, rate), line: { color: COLORS[3], width: 2 } }],
      { yaxis: { tickformat: ".0%", gridcolor: "#eef1f6" } });
  }, { csvName: "repeat_purchase" });
}

function topProducts() {
  return chartCard("Top products", panel("top-products"), (el, data) => {
    const rows = [...data.rows].reverse();
    plot(el, [{ type: "bar", orientation: "h", y: col(rows, "product"), x: col(rows, "item_net_revenue"), marker: { color: COLORS[0] }, hovertemplate: "%{y}: $%{x:,.0f}<extra></extra>" }],
      { margin: { l: 200, r: 16, t: 8, b: 40 }, xaxis: { title: "Net revenue (USD)", gridcolor: "#eef1f6" } });
  }, { csvName: "top_products" });
}

function categories() {
  return chartCard("Demand by category", panel("category-demand"), (el, data) => {
    plot(el, [{ type: "pie", hole: 0.55, labels: col(data.rows, "category"), values: col(data.rows, "item_net_revenue"), textinfo: "percent", marker: { colors: COLORS }, sort: true }],
      { showlegend: true, legend: { orientation: "v", x: 1, y: 0.5 }, margin: { l: 16, r: 16, t: 8, b: 8 } });
  }, { csvName: "category_demand" });
}

async function render() {
  const cards = h("div.grid.kpis", { id: "kpi-cards" }, loading());
  mount(main, h("div.page-head", {}, h("div", {}, h("h1", {}, "GlobalCart at a glance"), h("p.muted", { id: "period", style: "margin:0" }, "Last 30 days with data"))),
    cards, h("div", { style: "height:1rem" }),
    h("div.stack", {}, h("div.grid.two", {}, monthly(), conversion()), h("div.grid.two", {}, cohortHeatmap(panel("cohort-retention")), repeat()),
      h("div.grid.two", {}, topProducts(), categories())));
  try {
    const summary = await panel("summary")();
    document.getElementById("period").textContent = `${summary.start} – ${summary.end}, compared with the previous ${Math.round((new Date(summary.end) - new Date(summary.start)) / 86400000) + 1} days`;
    mount(cards, summary.rows.slice(0, 8).map((row) => kpiCard(row, LOWER_IS_BETTER.has(row.kpi) ? "lower_is_better" : "higher_is_better")));
  } catch (error) {
    mount(cards, errorBox(error, render));
  }
  main.dataset.view = "dashboard";
}

async function opened() {
  if (!(await api("/api/public/access", { quiet401: true })).open) throw new Error("this account cannot read analytics");
  await render();
}

function accessForm(title, fields, button, submit, message) {
  const error = h("div.alert.error", { role: "alert", hidden: !message }, message || "");
  const form = h("form", {}, h("h2", {}, title), error, fields, h("button.btn.primary.block", { type: "submit" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await submit(formData(form));
    } catch (err) {
      error.hidden = false;
      error.textContent = err.status === 401 ? "That did not work: check what you typed." : err.message;
    }
  });
  return h("section.card", {}, form);
}

function locked(message) {
  const withKey = accessForm("With an API key",
    field("API key", h("input", { name: "key", type: "password", autocomplete: "off", required: true, placeholder: "gck_…" }), "A key with the analytics:read scope (globalcart users api-key)."),
    "Open the dashboard", async (data) => {
      useApiKey(data.key.trim());
      try {
        await opened();
        sessionStorage.setItem(KEY, data.key.trim());
      } catch (err) {
        useApiKey(null);
        throw err;
      }
    }, message);
  const withAccount = accessForm("With an analyst account",
    [field("E-mail", h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
      field("Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }))],
    "Sign in", async (data) => {
      await api("/api/auth/login", { method: "POST", body: { email: data.email, password: data.password }, quiet401: true });
      await opened();
    });
  mount(main, h("div.locked", { id: "locked" }, h("h1", {}, "This dashboard is private"),
    h("p.muted", {}, "The operator has not made the KPI dashboard public. Open it with an API key or an analyst or admin account."),
    h("div.grid.two", { style: "text-align:left" }, withKey, withAccount)));
  main.dataset.view = "locked";
}

useApiKey(sessionStorage.getItem(KEY));
try {
  const access = await api("/api/public/access", { quiet401: true });
  if (access.open) await render();
  else locked();
} catch (error) {
  useApiKey(null);
  sessionStorage.removeItem(KEY);
  locked(error.status === 401 ? "The saved API key is no longer valid." : error.message);
}
document.body.dataset.ready = "1";
