// Order history, order detail with its status timeline, cancellation and returns.
import { api } from "../js/api.js";
import { addressLines, date, emptyState, errorBox, field, h, loading, money, mount, toast } from "../js/ui.js";
import { requireSignIn } from "./state.js";

const FLOW = ["created", "paid", "fulfilled", "shipped", "delivered"];
const STATUS_TEXT = {
  created: "Awaiting payment", paid: "Paid", fulfilled: "Packed", shipped: "Shipped",
  delivered: "Delivered", returned: "Returned", cancelled: "Cancelled",
};
const REASONS = [["damaged", "Arrived damaged"], ["wrong_item", "Wrong item"], ["not_as_described", "Not as described"], ["changed_mind", "Changed my mind"], ["other", "Other"]];

export function statusBadge(status) {
  const tone = status === "cancelled" ? "bad" : status === "created" ? "warn" : status === "returned" ? "" : "good";
  return h(`span.badge${tone ? `.${tone}` : ""}`, {}, STATUS_TEXT[status] || status);
}

export async function ordersView(main) {
  if (!requireSignIn("#/orders", "Sign in to see your orders.")) return;
  mount(main, loading("Loading your orders…"));
  try {
    const orders = await api("/api/customer/orders?limit=50");
    if (!orders.length) {
      mount(main, h("h1", {}, "Your orders"), h("div.card", {}, emptyState("You have no orders yet.", "📦"),
        h("p", { style: "text-align:center" }, h("a.btn.primary", { href: "#/" }, "Start shopping"))));
      return;
    }
    mount(main, h("h1", {}, "Your orders"), h("div.card", {}, h("div.table-wrap", {}, h("table", { id: "orders" },
      h("thead", {}, h("tr", {}, ["Order", "Placed", "Status", "Total"].map((t, i) => h(i === 3 ? "th.num" : "th", { scope: "col" }, t)))),
      h("tbody", {}, orders.map((o) => h("tr", { "data-order": o.order_id },
        h("td", {}, h("a", { href: `#/orders/${o.order_id}` }, `#${o.order_id.slice(0, 8)}`)),
        h("td", {}, date(o.created_at)),
        h("td", {}, statusBadge(o.status), o.cancel_reason ? h("div.muted.small", {}, o.cancel_reason.replace("payment_failed:", "payment failed: ").replace(/_/g, " ")) : null),
        h("td.num", {}, money(o.net_amount, o.currency)))))))));
  } catch (error) {
    if (error.status !== 401) mount(main, errorBox(error, () => ordersView(main)));
  }
}

function timeline(order) {
  const steps = [];
  steps.push({ text: "Order placed", when: order.created_at, done: true });
  for (const payment of order.payments) {
    steps.push(payment.status === "failed"
      ? { text: `Payment failed (${(payment.failure_reason || "").replace(/_/g, " ")})`, when: payment.created_at, bad: true }
      : { text: `Payment ${payment.status}`, when: payment.created_at, done: true });
  }
  if (order.status === "cancelled") {
    steps.push({ text: "Cancelled", when: order.updated_at, bad: true });
  } else {
    const reached = FLOW.indexOf(order.status === "returned" ? "delivered" : order.status);
    for (const status of FLOW.slice(2)) {
      const index = FLOW.indexOf(status);
      steps.push({ text: STATUS_TEXT[status], when: index === reached ? order.updated_at : null, done: index <= reached });
    }
  }
  for (const ret of order.returns) steps.push({ text: `Return ${ret.status} (line ${ret.line_no}, ${ret.qty} unit${ret.qty > 1 ? "s" : ""})`, when: ret.requested_at, done: true });
  return h("ol.timeline", { "aria-label": "Order status" }, steps.map((s) => h(`li${s.done ? ".done" : ""}${s.bad ? ".bad" : ""}`, {},
    h("div", {}, h("strong", {}, s.text)), s.when ? h("div.when", {}, date(s.when)) : h("div.when", {}, s.done ? "Done" : "Pending"))));
}

function shippingCard(address) {
  if (!address) return null;
  return h("section.card", { "aria-label": "Shipping address" }, h("h2", {}, "Shipping to"),
    h("address.address", { id: "ship-to" }, addressLines(address).map((line) => h("div", {}, line))));
}

async function productNames(lines) {
  const names = {};
  await Promise.all(lines.map(async (line) => {
    try {
      names[line.product_id] = (await api(`/api/customer/products/${line.product_id}`)).product_name;
    } catch {
      names[line.product_id] = null; // no longer sold: the id is shown instead
    }
  }));
  return names;
}

function returnForm(order, main, id, names) {
  const line = h("select", { name: "line_no" }, order.lines.map((l) => h("option", { value: l.line_no }, `${names[l.product_id] || `Product ${l.product_id}`} (${l.qty} unit${l.qty > 1 ? "s" : ""})`)));
  const qty = h("input", { name: "qty", type: "number", min: "1", max: "99", value: "1" });
  const reason = h("select", { name: "reason" }, REASONS.map(([value, text]) => h("option", { value }, text)));
  const form = h("form.card", { "aria-label": "Return items" }, h("h2", {}, "Return items"),
    h("p.muted.small", {}, "Free returns within 30 days of delivery."),
    field("Item", line), h("div.inline-fields", {}, field("Quantity", qty), field("Reason", reason)),
    h("button.btn", { type: "submit" }, "Request return"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`/api/customer/orders/${order.order_id}/returns`, { method: "POST", body: { line_no: Number(line.value), qty: Number(qty.value), reason: reason.value } });
      toast("Return requested: we will e-mail you a label");
      orderView(main, [null, id], new URLSearchParams());
    } catch (error) {
      if (error.status !== 401) toast(error.message);
    }
  });
  return form;
}

export async function orderView(main, match, params) {
  if (!requireSignIn(`#/orders/${match[1]}`, "Sign in to see this order.")) return;
  const id = match[1];
  mount(main, loading("Loading the order…"));
  let order;
  try {
    order = await api(`/api/customer/orders/${id}`);
  } catch (error) {
    if (error.status === 404) mount(main, emptyState("We cannot find this order.", "📦"));
    else if (error.status !== 401) mount(main, errorBox(error, () => orderView(main, match, params)));
    return;
  }
  const names = await productNames(order.lines);
  const cancel = ["created", "paid"].includes(order.status)
    ? h("button.btn.danger", { type: "button", onclick: async () => {
      if (!window.confirm("Cancel this order?")) return;
      try {
        await api(`/api/customer/orders/${id}/cancel`, { method: "POST" });
        toast("Order cancelled");
        orderView(main, match, new URLSearchParams());
      } catch (error) {
        if (error.status !== 401) toast(error.message);
      }
    } }, "Cancel order") : null;
  mount(main,
    params.get("placed") ? h("div.alert.success", { role: "status", id: "confirmation" }, h("strong", {}, "Thank you! Your order is confirmed. "), "A confirmation e-mail is on its way.") : null,
    h("div.page-head", {}, h("div", {}, h("h1", {}, `Order #${id.slice(0, 8)}`), h("div.muted", {}, `Placed ${date(order.created_at)}`)), h("div.row", {}, statusBadge(order.status), cancel)),
    h("div.checkout", {},
      h("div.stack", {},
        h("section.card", {}, h("h2", {}, "Items"), h("div.table-wrap", {}, h("table", {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Line"), h("th", { scope: "col" }, "Product"), h("th.num", { scope: "col" }, "Qty"), h("th.num", { scope: "col" }, "Amount"))),
          h("tbody", {}, order.lines.map((l) => h("tr", {}, h("td", {}, l.line_no), h("td", {}, h("a", { href: `#/p/${l.product_id}` }, names[l.product_id] || `Product ${l.product_id}`)), h("td.num", {}, l.qty), h("td.num", {}, money(l.line_amount, order.currency)))))))),
        order.status === "delivered" ? returnForm(order, main, id, names) : null),
      h("div.stack", {},
        shippingCard(order.shipping_address),
        h("section.card", {}, h("h2", {}, "Status"), timeline(order)),
        h("section.card", {}, h("h2", {}, "Total"),
          h("div.summary-line", {}, h("span", {}, "Items"), h("span", {}, money(order.gross_amount, order.currency))),
          Number(order.discount_amount) ? h("div.summary-line", {}, h("span", {}, "Discount"), h("span", {}, `−${money(order.discount_amount, order.currency)}`)) : null,
          h("div.summary-line", {}, h("span", {}, "Tax"), h("span", {}, money(order.tax_amount, order.currency))),
          h("div.summary-line", {}, h("span", {}, "Shipping"), h("span", {}, money(order.shipping_fee, order.currency))),
          h("div.summary-line.total", {}, h("span", {}, "Total"), h("span", {}, money(order.net_amount, order.currency)))))));
}
