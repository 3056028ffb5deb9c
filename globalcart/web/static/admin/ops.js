// Operations: orders monitor and detail, customers and customer 360, session journeys.
import { api } from "../js/api.js";
import { addressLines, cell, date, emptyState, errorBox, h, label, loading, money, mount, pct, table } from "../js/ui.js";
import { listing } from "./listing.js";

const RECENT = 12;
const STATUSES = ["created", "paid", "fulfilled", "shipped", "delivered", "returned", "cancelled"].map((s) => [s, s]);

export function ordersView(main, _match, params) {
  return listing(main, params, {
    title: "Orders", path: "/orders", endpoint: "/api/admin/orders", csv: true, csvName: "orders",
    filters: [
      { name: "q", label: "Search", placeholder: "Order id, customer, e-mail, name" },
      { name: "status", label: "Status", options: STATUSES },
      { name: "country", label: "Country" },
      { name: "customer_id", label: "Customer id", type: "number" },
      { name: "start", label: "From", type: "date" },
      { name: "end", label: "To", type: "date" },
    ],
    columns: ["order_id", "order_ts", "status", "email", "country", "channel", "units", "gross_amount_usd", "net_revenue_usd", "order_profit_usd", "payment_status", "carrier"],
    links: { order_id: (r) => `#/orders/${r.order_id}`, email: (r) => `#/customers/${r.customer_id}` },
  });
}

function facts(pairs) {
  return h("dl.facts", {}, pairs.map(([k, v]) => h("div", {}, h("dt.muted.small", {}, k), h("dd", { style: "margin:0;font-weight:600" }, v ?? "–"))));
}

function timeline(events) {
  if (!events.length) return emptyState("No events recorded.");
  return h("ol.timeline", {}, events.map((e) => h(`li.${/failed|cancel/.test(e.event) ? "bad" : "done"}`, {},
    h("strong", {}, e.event.replace(/_/g, " ")), e.detail ? h("span.muted", {}, ` · ${e.detail}`) : null, h("div.when", {}, date(e.at)))));
}

/** A product by name, its id (and SKU) secondary; the id alone when the name is unknown. */
function product(name, id, sku, stacked = false) {
  if (!name) return h("span", {}, `Product ${id}`);
  return h(`span.product-ref${stacked ? ".stacked" : ""}`, {}, h("span", {}, name), h("span.muted.small", {}, ` #${id}${sku ? ` · ${sku}` : ""}`));
}

const LINE_COLUMNS = ["qty", "unit_sell_price", "line_gross_usd", "line_discount_usd", "cogs_usd"];

function linesTable(lines) {
  if (!lines.length) return emptyState("No lines recorded.");
  return h("div.table-wrap", {}, h("table", { id: "order-lines" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Line"), h("th", { scope: "col" }, "Product"),
      LINE_COLUMNS.map((c) => h("th.num", { scope: "col" }, label(c))))),
    h("tbody", {}, lines.map((l) => h("tr", { "data-product": l.product_id }, h("td", {}, l.line_no), h("td", {}, product(l.product_name, l.product_id, l.sku, true)),
      LINE_COLUMNS.map((c) => h("td.num", {}, cell(c, l[c]))))))));
}

function shipTo(address) {
  if (!address) return emptyState("No ship-to address recorded.");
  const lines = address.source === "storefront"
    ? addressLines(address)
    : [address.city, [address.region, address.country_name].filter(Boolean).join(", ")];
  return h("div", {}, h("address.address", { id: "ship-to" }, lines.filter(Boolean).map((line) => h("div", {}, line))),
    h("p.muted.small", { style: "margin:.5rem 0 0" }, address.source === "storefront" ? "Entered by the customer at checkout." : "Ship-to city of the source data."));
}

export async function orderView(main, match) {
  mount(main, loading());
  try {
    const data = await api(`/api/admin/orders/${match[1]}`);
    const o = data.order;
    mount(main,
      h("nav.small", { style: "margin-bottom:.5rem" }, h("a", { href: "#/orders" }, "← Orders")),
      h("div.page-head", {}, h("h1", {}, `Order ${o.order_id}`), h("span.badge.brand", {}, o.status)),
      h("div.grid.two", {},
        h("section.card", {}, h("h2", {}, "Summary"), facts([
          ["Placed", date(o.order_ts)], ["Customer", o.customer_id ? h("a", { href: `#/customers/${o.customer_id}` }, o.email || `#${o.customer_id}`) : "Guest"],
          ["Country", o.country], ["Channel", o.channel], ["Gross", money(o.gross_amount_usd)], ["Net revenue", money(o.net_revenue_usd)],
          ["Profit", money(o.order_profit_usd)], ["Payment", o.payment_status], ["Carrier", o.carrier]])),
        h("div.stack", {}, h("section.card", { "aria-label": "Ship to" }, h("h2", {}, "Ship to"), shipTo(data.ship_to)),
          h("section.card", {}, h("h2", {}, "Timeline"), timeline(data.timeline)))),
      h("div", { style: "height:1rem" }),
      h("section.card", {}, h("h2", {}, "Lines"), linesTable(data.lines)),
      h("div", { style: "height:1rem" }),
      h("section.card", {}, h("h2", {}, "Payment attempts"), table(Object.keys(data.payments[0] || { attempt_no: 0 }), data.payments)));
  } catch (error) {
    mount(main, errorBox(error, () => orderView(main, match)));
  }
}

export function customersView(main, _match, params) {
  return listing(main, params, {
    title: "Customers", path: "/customers/list", endpoint: "/api/admin/customers", csv: true, csvName: "customers",
    filters: [
      { name: "q", label: "Search", placeholder: "E-mail, name or id" },
      { name: "rfm_segment", label: "RFM segment", options: ["Champions", "Loyal", "Potential Loyalist", "New Customers", "Promising", "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"].map((s) => [s, s]) },
      { name: "churned", label: "Churned", options: [["true", "Churned"], ["false", "Active"]] },
    ],
    links: { customer_id: (r) => `#/customers/${r.customer_id}`, email: (r) => `#/customers/${r.customer_id}` },
  });
}

export async function customerView(main, match) {
  mount(main, loading());
  try {
    const c = await api(`/api/admin/customers/${match[1]}`);
    const p = c.profile;
    const s = c.segment || {};
    mount(main,
      h("nav.small", { style: "margin-bottom:.5rem" }, h("a", { href: "#/customers/list" }, "← Customers")),
      h("div.page-head", {}, h("div", {}, h("h1", {}, p.full_name || p.email || `Customer ${p.customer_id}`), h("div.muted", {}, p.email)),
        h("div.row", {}, s.rfm_segment ? h("span.badge.brand", {}, s.rfm_segment) : null, c.is_churned ? h("span.badge.bad", {}, "Churned") : h("span.badge.good", {}, "Active"))),
      h("section.card", {}, h("h2", {}, "Customer 360"), facts([
        ["Segment", p.segment], ["Acquired via", p.acquisition_channel], ["Customer since", date(p.created_at)],
        ["Orders", s.frequency], ["Net revenue", money(s.monetary_usd)], ["Last order", date(s.last_order_date)],
        ["Days since last order", s.recency_days], ["Historical CLV", money(c.clv_usd)], ["Predicted CLV", money(c.predicted_clv_usd)],
        ["Churn score", c.churn_score === null || c.churn_score === undefined ? "–" : pct(c.churn_score)], ["RFM cell", s.rfm_cell], ["Country", s.country]])),
      h("div", { style: "height:1rem" }),
      h("div.grid.two", {},
        h("section.card", {}, h("header", {}, h("h2", {}, `Orders (${c.orders.length})`), h("a.small", { href: `#/orders?customer_id=${p.customer_id}` }, "All orders →")),
          table(["order_id", "order_ts", "status", "channel", "net_revenue_usd"].filter((k) => !c.orders.length || k in c.orders[0]), c.orders.slice(0, RECENT), { links: { order_id: (r) => `#/orders/${r.order_id}` } })),
        h("section.card", {}, h("header", {}, h("h2", {}, `Sessions (${c.sessions.length})`), h("a.small", { href: `#/journeys?customer_id=${p.customer_id}` }, "All sessions →")),
          table(["session_id", "session_date", "device", "traffic_source", "has_add_to_cart", "has_order"], c.sessions.slice(0, RECENT), { links: { session_id: (r) => `#/journeys/${r.session_id}` } }))));
  } catch (error) {
    mount(main, errorBox(error, () => customerView(main, match)));
  }
}

export function journeysView(main, _match, params) {
  return listing(main, params, {
    title: "Journeys", path: "/journeys", endpoint: "/api/admin/journeys/sessions", csv: true, csvName: "sessions",
    intro: "Storefront sessions, newest first; open one to replay its funnel events.",
    filters: [
      { name: "customer_id", label: "Customer id", type: "number" },
      { name: "converted", label: "Outcome", options: [["true", "Ordered"], ["false", "Did not order"]] },
      { name: "device", label: "Device", options: [["desktop", "Desktop"], ["mobile", "Mobile"], ["tablet", "Tablet"]] },
      { name: "start", label: "From", type: "date" },
      { name: "end", label: "To", type: "date" },
    ],
    columns: ["session_id", "session_date", "customer_id", "device", "traffic_source", "country", "has_add_to_cart", "has_checkout", "has_payment_failed", "has_order"],
    links: { session_id: (r) => `#/journeys/${r.session_id}`, customer_id: (r) => `#/customers/${r.customer_id}` },
  });
}

export async function journeyView(main, match) {
  mount(main, loading());
  try {
    const data = await api(`/api/admin/journeys/sessions/${match[1]}`);
    const s = data.session;
    const steps = data.events.map((e, i) => {
      const previous = i ? new Date(data.events[i - 1].event_ts) : null;
      const gap = previous ? Math.round((new Date(e.event_ts) - previous) / 1000) : null;
      return h(`li.${e.stage === "PAYMENT_FAILED" ? "bad" : "done"}`, { "data-stage": e.stage },
        h("strong", {}, e.stage.replace(/_/g, " ").toLowerCase().replace(/^./, (c) => c.toUpperCase())),
        e.query ? [" · ", h("q.search-query", {}, e.query)] : null,
        e.product_id ? [" · ", product(e.product_name, e.product_id)] : null,
        e.order_id ? [" · ", h("a", { href: `#/orders/${e.order_id}` }, `order ${e.order_id}`)] : null,
        e.failure_reason ? h("span.badge.bad", { style: "margin-left:.4rem" }, e.failure_reason) : null,
        h("div.when", {}, date(e.event_ts), gap !== null ? ` · +${gap}s` : ""));
    });
    mount(main,
      h("nav.small", { style: "margin-bottom:.5rem" }, h("a", { href: "#/journeys" }, "← Journeys")),
      h("div.page-head", {}, h("h1", {}, `Session ${s.session_id}`), s.has_order ? h("span.badge.good", {}, "Converted") : h("span.badge", {}, "No order")),
      h("div.grid.two", {},
        h("section.card", {}, h("h2", {}, "Visit"), facts([["Date", date(s.session_date)], ["Customer", s.customer_id ? h("a", { href: `#/customers/${s.customer_id}` }, `#${s.customer_id}`) : "Anonymous"],
          ["Device", s.device], ["Source", s.traffic_source], ["Campaign", s.campaign], ["Country", s.country]])),
        h("section.card", {}, h("h2", {}, `Replay (${data.events.length} events)`), steps.length ? h("ol.timeline", { id: "replay" }, steps) : emptyState("No funnel events in this session."))));
  } catch (error) {
    mount(main, errorBox(error, () => journeyView(main, match)));
  }
}
