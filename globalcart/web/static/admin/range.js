// The admin's date range (presets relative to the last day with data, not to today) and
// breakdown.
import { api, query } from "../js/api.js";
import { h } from "../js/ui.js";

const PRESETS = [["7d", "7 days", 7], ["30d", "30 days", 30], ["90d", "90 days", 90], ["365d", "12 months", 365]];
const KEY = "gc_admin_range";
export const BREAKDOWNS = [["country", "Country"], ["channel", "Channel"], ["device", "Device"], ["traffic_source", "Traffic source"], ["segment", "Segment"], ["marketing_channel", "Marketing channel"]];

export const range = { start: null, end: null, preset: "30d", by: "country", lastDay: null };
let kpiInfo = null;

function iso(d) {
  return d.toISOString().slice(0, 10);
}

function shift(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

/** The last day with data: the default range of the API ends there (a generated store's
 * data may end months ago; once storefront orders are ingested it is today). */
async function latestDay() {
  try {
    return (await api("/api/kpis/net_revenue")).end;
  } catch {
    return iso(new Date()); // the panels show the error; the picker still needs a date
  }
}

/** Restore the admin's choices of this tab, with presets re-applied to the current data. */
export async function initRange() {
  const saved = JSON.parse(sessionStorage.getItem(KEY) || "{}");
  Object.assign(range, { preset: saved.preset || "30d", by: saved.by || "country", start: saved.start || null, end: saved.end || null });
  range.lastDay = await latestDay();
  if (range.preset !== "custom" || !range.start || !range.end) applyPreset(range.preset === "custom" ? "30d" : range.preset);
}

/** After a new build: when the data now ends on another day, a preset moves with it (a
 * custom range stays). True when the last day changed. */
export async function followData() {
  const day = await latestDay();
  if (day === range.lastDay) return false;
  range.lastDay = day;
  if (range.preset !== "custom") applyPreset(range.preset);
  save();
  return true;
}

export async function kpiCatalogue() {
  if (!kpiInfo) {
    const list = await api("/api/kpis");
    kpiInfo = Object.fromEntries(list.map((k) => [k.name, k]));
  }
  return kpiInfo;
}

function applyPreset(preset) {
  const days = PRESETS.find((p) => p[0] === preset)[2];
  range.preset = preset;
  range.end = range.lastDay;
  range.start = shift(range.lastDay, 1 - days);
}

function save() {
  const { start, end, preset, by } = range;
  sessionStorage.setItem(KEY, JSON.stringify({ start, end, preset, by }));
}

/** The grain that keeps a trend readable for the range. */
export function grain() {
  const days = (new Date(range.end) - new Date(range.start)) / 86400000 + 1;
  return days > 120 ? "week" : "day";
}

export function rangeQuery(extra = {}) {
  return query({ start: range.start, end: range.end, ...extra });
}

/** Preset buttons, custom dates and (optionally) the breakdown selector; calls onChange. */
export function rangePicker(onChange, { breakdown = false } = {}) {
  const start = h("input", { type: "date", id: "range-start", value: range.start, max: range.lastDay });
  const end = h("input", { type: "date", id: "range-end", value: range.end, max: range.lastDay });
  const buttons = PRESETS.map(([key, text]) => h("button", { type: "button", "aria-pressed": String(range.preset === key), onclick: () => {
    applyPreset(key);
    save();
    onChange();
  } }, text));
  const custom = () => {
    if (!start.value || !end.value || start.value > end.value) return;
    Object.assign(range, { start: start.value, end: end.value, preset: "custom" });
    save();
    onChange();
  };
  start.addEventListener("change", custom);
  end.addEventListener("change", custom);
  const by = h("select", { id: "breakdown", "aria-describedby": "breakdown-scope" }, BREAKDOWNS.map(([value, text]) => h("option", { value, selected: range.by === value }, text)));
  by.addEventListener("change", () => { range.by = by.value; save(); onChange(); });
  return h("div.filters", { role: "group", "aria-label": "Date range" },
    h("div.field", {}, h("span.sr-only", {}, "Preset ranges"), h("div.segmented", {}, buttons)),
    h("div.field", {}, h("label", { for: "range-start" }, "From"), start),
    h("div.field", {}, h("label", { for: "range-end" }, "To"), end),
    breakdown ? h("div.field", {}, h("label", { for: "breakdown" }, "Breakdown"), by) : null);
}
