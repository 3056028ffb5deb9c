// Cart and checkout: quantities, address, simulated payment (success, declined, bank down).
import { api, newKey } from "../js/api.js";
import { track } from "../js/events.js";
import { emptyState, errorBox, field, formData, go, h, loading, money, mount, toast } from "../js/ui.js";
import { thumb } from "./catalog.js";
import { refreshCart, requireSignIn } from "./state.js";

// Test cards of the simulated payment provider (any other 16-digit number is approved).
const TEST_CARDS = { "4000000000000002": "card_declined", "4000000000000119": "bank_down" };
let countries = null;
const ADDRESS_LABELS = { name: "Full name", line1: "Street and number", line2: "Apartment, suite, floor", postal_code: "Postal code", city: "City", country: "Country" };

function summary(cart) {
  return h("section.card", { "aria-label": "Order summary" },
    h("h2", {}, "Order summary"),
    cart.lines.map((line) => h("div.summary-line", {}, h("span", {}, `${line.qty} × ${line.product_name}`), h("span", {}, money(line.line_amount, cart.currency)))),
    h("div.summary-line", {}, h("span.muted", {}, "Shipping"), h("span.muted", {}, "Calculated at dispatch")),
    h("div.summary-line.total", {}, h("span", {}, "Total"), h("span", { id: "cart-total" }, money(cart.total, cart.currency))));
}

async function changeLine(line, qty, main) {
  try {
    const cart = qty > 0
      ? await api(`/api/customer/cart/lines/${line.line_id}`, { method: "PATCH", body: { qty } })
      : await api(`/api/customer/cart/lines/${line.line_id}`, { method: "DELETE" });
    if (qty <= 0) {
      track("REMOVE_FROM_CART", { product_id: line.product_id });
      toast(`Removed ${line.product_name}`);
    }
    await refreshCart(cart);
    renderCart(main, cart);
  } catch (error) {
    if (error.status !== 401) toast(error.message);
  }
}

function renderCart(main, cart) {
  if (!cart.lines.length) {
    mount(main, h("h1", {}, "Your cart"), h("div.card", {}, emptyState("Your cart is empty.", "🛒"),
      h("p", { style: "text-align:center" }, h("a.btn.primary", { href: "#/" }, "Browse products"))));
    return;
  }
  const rows = cart.lines.map((line) => {
    const qty = h("input.qty", { type: "number", min: "1", max: "99", value: String(line.qty), id: `qty-${line.line_id}`, "aria-label": `Quantity of ${line.product_name}` });
    qty.addEventListener("change", () => changeLine(line, Math.max(1, Number(qty.value) || 1), main));
    return h("div.card.row", { "data-line": line.line_id },
      thumb({ product_name: line.product_name, category_l1: line.product_name }, "thumb-sm"),
      h("div", { style: "flex:1;min-width:180px" }, h("a", { href: `#/p/${line.product_id}` }, h("strong", {}, line.product_name)),
        h("div.muted.small", {}, `${money(line.unit_price, cart.currency)} each`),
        line.available < line.qty ? h("span.badge.bad", {}, `Only ${line.available} available`) : null),
      qty,
      h("strong", { style: "min-width:6rem;text-align:right" }, money(line.line_amount, cart.currency)),
      h("button.btn.small.danger", { type: "button", onclick: () => changeLine(line, 0, main), "aria-label": `Remove ${line.product_name}` }, "Remove"));
  });
  mount(main, h("h1", {}, "Your cart"),
    h("div.checkout", {}, h("div.stack", {}, rows),
      h("div.stack", {}, summary(cart), h("a.btn.primary.block", { href: "#/checkout", id: "to-checkout" }, "Proceed to checkout"))));
}

export async function cartView(main) {
  if (!requireSignIn("#/cart", "Sign in to see your cart.")) return;
  mount(main, loading("Loading your cart…"));
  try {
    const cart = await api("/api/customer/cart");
    await refreshCart(cart);
    renderCart(main, cart);
  } catch (error) {
    if (error.status !== 401) mount(main, errorBox(error, () => cartView(main)));
  }
}

/** The country the browser's language points at (en-GB → GB), when the store ships there. */
function guessedCountry() {
  try {
    const region = new Intl.Locale(navigator.language).maximize().region;
    return countries.some((c) => c.code === region) ? region : "";
  } catch {
    return "";
  }
}

// The form starts from the customer's saved address (their latest checkout's), kept by the server.
function addressFields(saved) {
  const input = (name, attrs) => h("input", { name, value: saved[name] || "", required: true, ...attrs });
  const chosen = saved.country || guessedCountry();
  const country = h("select", { name: "country", required: true, autocomplete: "country" },
    h("option", { value: "" }, "Choose a country…"),
    countries.map((c) => h("option", { value: c.code, selected: c.code === chosen }, c.name)));
  return h("fieldset.card", {}, h("legend", {}, h("h2", { style: "margin:0" }, "Shipping address")),
    field("Full name", input("name", { autocomplete: "name", maxlength: "120" })),
    field("Street and number", input("line1", { autocomplete: "address-line1", maxlength: "200" })),
    field("Apartment, suite, floor (optional)", input("line2", { autocomplete: "address-line2", maxlength: "200", required: false })),
    h("div.inline-fields", {},
      field("Postal code", input("postal_code", { autocomplete: "postal-code", maxlength: "12", pattern: "[A-Za-z0-9][A-Za-z0-9 \\-]*[A-Za-z0-9]", title: "Letters, digits, spaces or dashes" })),
      field("City", input("city", { autocomplete: "address-level2", maxlength: "100" }))),
    field("Country", country));
}

function addressOf(data) {
  const text = (value) => (value || "").trim();
  return { name: text(data.name), line1: text(data.line1), line2: text(data.line2) || null, city: text(data.city), postal_code: text(data.postal_code), country: data.country };
}

function addressAlert(text) {
  return h("div.alert.error", { role: "alert", id: "payment-error" }, h("strong", {}, "Please check the shipping address. "), text);
}

/** Required address fields left blank (spaces only pass the browser's own check). */
function blankFields(address) {
  return Object.keys(ADDRESS_LABELS).filter((key) => key !== "line2" && !address[key]).map((key) => ADDRESS_LABELS[key]);
}

function paymentFields() {
  const card = h("input", { name: "card", inputmode: "numeric", autocomplete: "cc-number", placeholder: "4242 4242 4242 4242", maxlength: "23" });
  const cardFields = h("div", {}, field("Card number", card),
    h("div.inline-fields", {}, field("Expiry (MM/YY)", h("input", { name: "expiry", placeholder: "12/30", autocomplete: "cc-exp", maxlength: "5" })),
      field("CVC", h("input", { name: "cvc", inputmode: "numeric", placeholder: "123", autocomplete: "cc-csc", maxlength: "4" }))));
  const method = (value, text, checked) => h("label.row", { style: "font-weight:500" }, h("input", { type: "radio", name: "method", value, checked, style: "width:auto" }), text);
  const fieldset = h("fieldset.card", {}, h("legend", {}, h("h2", { style: "margin:0" }, "Payment")),
    h("div.row", { role: "radiogroup", "aria-label": "Payment method" }, method("card", "Card", true), method("paypal", "PayPal", false)),
    cardFields,
    h("div.alert.info.testcards", {}, h("strong", {}, "Demo store: "), "payments are simulated. Use ",
      h("code", {}, "4242 4242 4242 4242"), " to pay, ", h("code", {}, "4000 0000 0000 0002"), " for a declined card, or ",
      h("code", {}, "4000 0000 0000 0119"), " when the bank does not answer."));
  fieldset.addEventListener("change", () => { cardFields.hidden = fieldset.querySelector("input[name=method]:checked").value !== "card"; });
  return fieldset;
}

function outcome(data) {
  if (data.method !== "card") return "success";
  return TEST_CARDS[(data.card || "").replace(/\D/g, "")] || "success";
}

function named(detail, cart) {
  return detail.replace(/product (\d+)/g, (text, id) => {
    const line = cart.lines.find((l) => String(l.product_id) === id);
    return line ? line.product_name : text;
  });
}

function problemAlert(error, cart) {
  if (error.status === 402 && error.problem.reason === "card-declined") {
    return h("div.alert.error", { role: "alert", id: "payment-error" }, h("strong", {}, "Your card was declined. "), "No money was taken and your cart is kept. Please use another card.");
  }
  if (error.status === 402) {
    return h("div.alert.warn", { role: "alert", id: "payment-error" }, h("strong", {}, "The bank did not answer. "), "No money was taken. Please try again in a moment.");
  }
  if (error.status === 422) {
    const wrong = (error.problem.errors || []).filter((e) => e.loc.includes("shipping_address"))
      .map((e) => `${ADDRESS_LABELS[e.loc[e.loc.length - 1]] || e.loc[e.loc.length - 1]}: ${e.msg.replace(/^Value error, /, "")}`);
    return addressAlert(wrong.length ? wrong.join("; ") : error.message);
  }
  if (error.status === 409) {
    return h("div.alert.error", { role: "alert", id: "payment-error" }, h("strong", {}, "Some items are no longer available: "), named(error.message, cart), ". ",
      h("a", { href: "#/cart" }, "Review your cart"), ".");
  }
  return errorBox(error);
}

export async function checkoutView(main) {
  if (!requireSignIn("#/checkout", "Sign in to check out.")) return;
  mount(main, loading("Preparing checkout…"));
  let cart, saved;
  try {
    [cart, countries, saved] = await Promise.all([
      api("/api/customer/cart"),
      countries || api("/api/customer/countries"),
      api("/api/customer/address"),
    ]);
  } catch (error) {
    if (error.status !== 401) mount(main, errorBox(error, () => checkoutView(main)));
    return;
  }
  if (!cart.lines.length) return renderCart(main, cart);
  track("CHECKOUT_STARTED");
  const alerts = h("div", { "aria-live": "assertive" });
  const pay = h("button.btn.primary.block", { type: "submit", id: "pay" }, `Pay ${money(cart.total, cart.currency)}`);
  const form = h("form.stack", { novalidate: false }, alerts, addressFields(saved.shipping_address || {}), paymentFields());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = formData(form);
    const address = addressOf(data);
    const blank = blankFields(address);
    if (blank.length) {
      mount(alerts, addressAlert(`${blank.join(", ")}: required.`));
      window.scrollTo(0, 0);
      return;
    }
    if (data.method === "card" && (data.card || "").replace(/\D/g, "").length < 12) {
      mount(alerts, h("div.alert.error", { role: "alert" }, "Please enter the card number."));
      return;
    }
    pay.disabled = true;
    pay.textContent = "Processing payment…";
    mount(alerts);
    track("PAYMENT_ATTEMPTED");
    try {
      const order = await api("/api/customer/checkout", {
        method: "POST", headers: { "Idempotency-Key": newKey("chk-") },
        body: { shipping_address: address, payment_method: data.method, simulate: outcome(data) },
      });
      track("ORDER_PLACED", { order_id: order.order_id });
      await refreshCart();
      go(`#/orders/${order.order_id}?placed=1`);
    } catch (error) {
      if (error.status === 402) track("PAYMENT_FAILED", { failure_reason: error.problem.reason || "payment-failed", order_id: error.problem.order_id });
      if (error.status !== 401) mount(alerts, problemAlert(error, cart));
      pay.disabled = false;
      pay.textContent = `Pay ${money(cart.total, cart.currency)}`;
      window.scrollTo(0, 0);
    }
  });
  form.append(pay);
  mount(main, h("h1", {}, "Checkout"), h("div.checkout", {}, form, summary(cart)));
}
