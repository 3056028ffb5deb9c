// DOM helpers shared by the three apps: element builder, formatting, tables, states, routing.

/** h("a.btn", {href: "#"}, "text", child…): an element with classes, attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className += ` ${value}`;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(target, ...children) {
  target.replaceChildren();
  append(target, children);
  return target;
}

const numberFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimalFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function money(value, currency = "USD", digits = 2) {
  if (value === null || value === undefined || value === "") return "–";
  return new Intl.NumberFormat("en-US", {
    style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(Number(value));
}

export function pct(value, digits = 1) {
  if (value === null || value === undefined) return "–";
  return `${(Number(value) * 100).toFixed(digits)}%`;
}

export function num(value) {
  if (value === null || value === undefined) return "–";
  const n = Number(value);
  return Number.isInteger(n) ? numberFmt.format(n) : decimalFmt.format(n);
}

/** A value in a KPI unit (usd, ratio, count, units, days). */
export function unitValue(value, unit, compact = false) {
  if (value === null || value === undefined) return "–";
  if (unit === "usd") return compact && Math.abs(value) >= 10000 ? `$${(value / 1000).toFixed(1)}k` : money(value);
  if (unit === "ratio") return pct(value);
  if (unit === "days") return `${decimalFmt.format(value)} d`;
  return num(value);
}

export function date(value) {
  if (!value) return "–";
  const d = new Date(value.length <= 10 ? `${value}T00:00:00` : value.endsWith("Z") || value.includes("+") ? value : `${value}Z`);
  if (Number.isNaN(d.getTime())) return String(value);
  return value.length <= 10
    ? d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" })
    : d.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function label(column) {
  return column.replace(/_usd$/, " (USD)").replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** The display text of a table cell, guessing the format from the column name. */
export function cell(column, value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (/(^|_)id$/.test(column)) return String(value);
  if (/^(has|is)_/.test(column) && (value === 0 || value === 1)) return value ? "yes" : "no";
  if (column.endsWith("_previous")) return cell(column.slice(0, -"_previous".length), value);
  if (typeof value === "number") {
    if (/(_usd|revenue|amount|price|cost|profit|spend|clv|fee|aov)$/.test(column)) return money(value);
    if (/(rate|margin|share|pct|roi|retention|score|p_alive)$/.test(column)) return column.endsWith("roi") || column.endsWith("score") ? decimalFmt.format(value) : pct(value);
    return num(value);
  }
  if (/(_at|_ts)$/.test(column)) return date(value);
  return String(value);
}

/** A table of rows; ``links`` maps a column to a function giving the cell's href. */
export function table(columns, rows, { links = {}, caption } = {}) {
  if (!rows.length) return emptyState("Nothing to show for this selection.");
  const numeric = new Set(columns.filter((c) => rows.some((r) => typeof r[c] === "number") && !/_id$/.test(c)));
  return h("div.table-wrap", {},
    h("table", {},
      caption ? h("caption.sr-only", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h(numeric.has(c) ? "th.num" : "th", { scope: "col" }, label(c))))),
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => {
        const text = cell(c, row[c]);
        const href = links[c] && row[c] !== null ? links[c](row) : null;
        const cls = numeric.has(c) ? "td.num" : /(_date|_at|_ts|period|month)$/.test(c) ? "td.nowrap" : "td";
        return h(cls, {}, href ? h("a", { href }, text) : text);
      }))))));
}

export function emptyState(message, icon = "∅") {
  return h("div.empty", {}, h("div.big", { "aria-hidden": "true" }, icon), h("p", {}, message));
}

export function loading(text = "Loading…") {
  return h("div.loading", { role: "status" }, h("div.skeleton", { style: "height:1.2rem;margin-bottom:.5rem" }), text);
}

export function errorBox(error, retry) {
  return h("div.alert.error", { role: "alert" },
    h("strong", {}, "Could not load this. "), error.message || String(error),
    retry ? [" ", h("button.btn.small", { type: "button", onclick: retry }, "Try again")] : null);
}

/** Fill ``target`` with a loading state, then ``render(data)`` or an error with a retry. */
export async function load(target, fetcher, render) {
  mount(target, loading());
  try {
    const data = await fetcher();
    mount(target, render(data));
  } catch (error) {
    mount(target, errorBox(error, () => load(target, fetcher, render)));
  }
}

export function toast(message) {
  let area = document.querySelector(".toast-area");
  if (!area) {
    area = h("div.toast-area", { "aria-live": "polite" });
    document.body.append(area);
  }
  const item = h("div.toast", { role: "status" }, message);
  area.append(item);
  setTimeout(() => item.remove(), 2500);
}

/** Hash routing: ``routes`` is a list of [regexp, handler(match, params)]. */
export function router(routes, notFound) {
  async function dispatch() {
    const [path, search = ""] = (location.hash.slice(1) || "/").split("?");
    const params = new URLSearchParams(search);
    for (const [pattern, handler] of routes) {
      const match = path.match(pattern);
      if (match) return handler(match, params);
    }
    return notFound(path);
  }
  window.addEventListener("hashchange", dispatch);
  return dispatch;
}

export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function field(labelText, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div.field", {}, h("label", { for: id }, labelText), input, hint ? h("div.hint", {}, hint) : null);
}

export function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** A CSV file download of rows (columns in order). */
export function downloadCsv(filename, columns, rows) {
  const esc = (v) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [columns.join(","), ...rows.map((r) => columns.map((c) => esc(r[c])).join(","))].join("\n");
  const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
}

// Countries that write the city before the postal code ("Seattle 98101"); most others write
// the postal code first ("75001 Paris").
const CITY_FIRST = new Set(["AU", "CA", "GB", "IE", "IN", "JP", "KR", "NZ", "SG", "US"]);

/** The lines of a shipping address as they go on a parcel. */
export function addressLines(address) {
  const city = CITY_FIRST.has(address.country) ? `${address.city} ${address.postal_code}` : `${address.postal_code} ${address.city}`;
  return [address.name, address.line1, address.line2, city, address.country_name].filter(Boolean);
}
