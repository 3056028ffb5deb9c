// Data health: quality checks and the quarantine, pipeline runs and freshness, the audit log.
import { api } from "../js/api.js";
import { chartCard, col, plot } from "../js/charts.js";
import { date, errorBox, h, loading, mount, num } from "../js/ui.js";
import { listing } from "./listing.js";

const TABLES = ["customers", "products", "orders", "order_items", "payments", "shipments", "returns", "sessions", "funnel_events", "inventory_snapshots", "marketing_spend", "campaigns", "fx_rates", "geo"];

function checksSummary() {
  return chartCard("Checks of the latest build by layer", () => api("/api/admin/quality/checks?limit=10000"), (el, data) => {
    const layers = new Map();
    for (const r of data.rows) {
      const layer = r.model.split(".")[0];
      const entry = layers.get(layer) || { layer, pass: 0, fail: 0 };
      entry[r.status === "pass" ? "pass" : "fail"] += 1;
      layers.set(layer, entry);
    }
    const rows = [...layers.values()];
    plot(el, [
      { type: "bar", orientation: "h", y: col(rows, "layer"), x: col(rows, "pass"), name: "Passed", marker: { color: "#10b981" } },
      { type: "bar", orientation: "h", y: col(rows, "layer"), x: col(rows, "fail"), name: "Failed", marker: { color: "#ef4444" } },
    ], { barmode: "stack", showlegend: true, bargap: 0.35, margin: { l: 80, r: 16, t: 8, b: 40 }, xaxis: { title: "Checks", gridcolor: "#eef1f6" } });
  }, { csvName: "check_results", note: "Table view: every check with its failures (failed checks first).",
    columns: ["check_name", "model", "check_type", "severity", "status", "failures"] });
}

export function qualityView(main, _match, params) {
  const quarantine = h("div");
  mount(main, h("h1", {}, "Data quality"), checksSummary(), h("div", { style: "height:1rem" }), quarantine);
  return listing(quarantine, params, {
    title: "Quarantine", path: "/quality", endpoint: "/api/admin/quality/quarantine", csv: true, csvName: "quarantine", pageSize: 15,
    intro: "Rows the pipeline refused, with the rule they broke. Fix them at the source and reload.",
    filters: [
      { name: "table_name", label: "Table", options: TABLES.map((t) => [t, t]) },
      { name: "rule", label: "Rule", options: ["missing_key", "malformed_date", "future_date", "negative_amount", "negative_quantity", "unknown_currency", "unknown_product"].map((r) => [r, r]) },
    ],
    columns: ["table_name", "business_key", "rule", "reason", "source_file", "run_id", "quarantined_at"],
  });
}

function hoursSince(ts) {
  return (Date.now() - new Date(`${ts}Z`).getTime()) / 3600000;
}

async function freshness(target) {
  mount(target, loading());
  try {
    const runs = (await api("/api/admin/runs?limit=200")).rows;
    const last = (kind) => runs.find((r) => r.kind === kind && r.status === "success");
    const failed = runs.find((r) => r.status !== "success" && r.status !== "running");
    const card = (title, run) => {
      const age = run ? hoursSince(run.finished_at || run.started_at) : null;
      const tone = age === null ? "bad" : age > 26 ? "warn" : "good";
      return h("section.card.kpi", {}, h("div.label", {}, title), h("div.value", {}, run ? date(run.finished_at || run.started_at) : "never"),
        h(`span.badge.${tone}`, {}, age === null ? "no successful run" : age < 1 ? "less than an hour ago" : `${num(Math.round(age))} hours ago`));
    };
    mount(target, card("Last load", last("load")), card("Last build", last("build")),
      h("section.card.kpi", {}, h("div.label", {}, "Latest failure"), h("div.value", {}, failed ? date(failed.started_at) : "none"),
        failed ? h("span.badge.bad", {}, (failed.error || failed.status).slice(0, 80)) : h("span.badge.good", {}, "all runs succeeded")));
  } catch (error) {
    mount(target, errorBox(error, () => freshness(target)));
  }
}

export function runsView(main, _match, params) {
  const cards = h("div.grid.three");
  const list = h("div");
  mount(main, h("h1", {}, "Pipeline runs and freshness"), cards, h("div", { style: "height:1rem" }), list);
  freshness(cards);
  return listing(list, params, {
    title: "Runs", path: "/runs", endpoint: "/api/admin/runs", csv: true, csvName: "runs",
    filters: [
      { name: "kind", label: "Kind", options: [["load", "Load"], ["build", "Build"]] },
      { name: "status", label: "Status", options: [["success", "Success"], ["failed", "Failed"], ["running", "Running"]] },
    ],
  });
}

export function auditView(main, _match, params) {
  return listing(main, params, {
    title: "Audit log", path: "/audit", endpoint: "/api/admin/audit-log", pageSize: 50,
    intro: "Append-only record of sign-ins, exports, personal-data reads and admin changes (reading it is logged too).",
    filters: [{ name: "action", label: "Action", placeholder: "e.g. login, orders_export" }],
  });
}
