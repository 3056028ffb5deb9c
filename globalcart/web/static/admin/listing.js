// A filtered, paginated table page whose state lives in the URL (back/forward work), with a
// CSV export of the same filters when the API offers one.
import { api, query } from "../js/api.js";
import { errorBox, field, go, h, loading, mount, num, table } from "../js/ui.js";

function control(filter, params) {
  const value = params.get(filter.name) || "";
  if (filter.options) {
    return h("select", { name: filter.name }, h("option", { value: "" }, filter.any || "Any"),
      filter.options.map(([v, text]) => h("option", { value: v, selected: value === v }, text)));
  }
  return h("input", { name: filter.name, type: filter.type || "text", value, placeholder: filter.placeholder || "" });
}

function asPage(data) {
  if (Array.isArray(data)) return { columns: data.length ? Object.keys(data[0]) : [], rows: data, total: null };
  return data;
}

/**
 * Render a listing into ``main``.
 * spec: {title, path (hash path), endpoint, filters, columns, links, pageSize, csv, intro}
 */
export async function listing(main, params, spec) {
  const pageSize = spec.pageSize || 25;
  const page = Math.max(1, Number(params.get("page") || 1));
  const controls = spec.filters.map((f) => field(f.label, control(f, params)));
  const form = h("form.card.filters", { role: "search", "aria-label": `Filter ${spec.title.toLowerCase()}` },
    controls, h("div.row", {}, h("button.btn.primary", { type: "submit" }, "Apply"), h("a.btn", { href: `#${spec.path}` }, "Reset")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    go(`#${spec.path}${query(values)}`);
  });
  const filters = Object.fromEntries(spec.filters.map((f) => [f.name, params.get(f.name)]));
  const request = { ...spec.fixed, ...filters, limit: pageSize, offset: (page - 1) * pageSize };
  const csv = spec.csv ? h("a.btn", { href: `${spec.endpoint}${query({ ...spec.fixed, ...filters, limit: 10000, format: "csv" })}`, download: `${spec.csvName || "export"}.csv` }, "Export CSV") : null;
  const body = h("section.card", { "aria-live": "polite" }, loading());
  mount(main, h("div.page-head", {}, h("h1", {}, spec.title), csv), spec.intro ? h("p.muted", {}, spec.intro) : null, form, h("div", { style: "height:1rem" }), body);
  try {
    const data = asPage(await api(`${spec.endpoint}${query(request)}`));
    const columns = spec.columns ? spec.columns.filter((c) => data.columns.includes(c)) : data.columns;
    const pages = data.total === null ? null : Math.max(1, Math.ceil(data.total / pageSize));
    const link = (n) => `#${spec.path}${query({ ...filters, page: n })}`;
    const more = pages === null ? data.rows.length === pageSize : page < pages;
    mount(body,
      h("p.muted.small", { style: "margin-top:0", id: "listing-count" }, data.total === null ? `${data.rows.length} rows on this page` : `${num(data.total)} matching`),
      table(columns, data.rows, { links: spec.links || {}, caption: spec.title }),
      h("nav.pager", { "aria-label": "Pages" },
        page > 1 ? h("a.btn.small", { href: link(page - 1), rel: "prev" }, "← Previous") : null,
        h("span.muted.small", {}, pages === null ? `Page ${page}` : `Page ${page} of ${pages}`),
        more ? h("a.btn.small", { href: link(page + 1), rel: "next" }, "Next →") : null));
  } catch (error) {
    mount(body, errorBox(error, () => listing(main, params, spec)));
  }
}
