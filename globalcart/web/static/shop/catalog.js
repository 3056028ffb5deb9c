// Catalog: search (typed or spoken), filters, sort, pagination; the product page; add to cart.
import { api, query } from "../js/api.js";
import { track } from "../js/events.js";
import { emptyState, errorBox, field, go, h, loading, money, mount, toast } from "../js/ui.js";
import { refreshCart, requireSignIn } from "./state.js";

const PAGE_SIZE = 12;
const SORTS = [["name", "Name"], ["price_asc", "Price: low to high"], ["price_desc", "Price: high to low"], ["best_sellers", "Best sellers"]];
let categories = null;

function hue(text) {
  let n = 0;
  for (const c of text || "") n = (n * 31 + c.charCodeAt(0)) % 360;
  return n;
}

export function thumb(product, cls = "thumb") {
  const h1 = hue(product.category_l1);
  const initials = (product.product_name || "?").split(/\s+/).slice(0, 2).map((w) => w[0]).join("").toUpperCase();
  return h(`div.${cls}`, { style: `background:linear-gradient(135deg,hsl(${h1} 70% 55%),hsl(${(h1 + 40) % 360} 75% 45%))`, "aria-hidden": "true" }, initials);
}

function stockBadge(available) {
  if (available <= 0) return h("span.badge.bad", {}, "Out of stock");
  if (available < 5) return h("span.badge.warn", {}, `Only ${available} left`);
  return h("span.badge.good", {}, "In stock");
}

export async function addToCart(product, qty = 1) {
  if (!requireSignIn(`#/p/${product.product_id}`, "Sign in to add items to your cart.")) return;
  try {
    const cart = await api("/api/customer/cart/items", { method: "POST", body: { product_id: product.product_id, qty } });
    track("ADD_TO_CART", { product_id: product.product_id });
    await refreshCart(cart);
    toast(`Added ${product.product_name} to your cart`);
  } catch (error) {
    if (error.status !== 401) toast(error.status === 409 ? `Sorry: ${error.message}` : `Could not add it: ${error.message}`);
  }
}

function card(product) {
  return h("article.card.product", { "data-product": product.product_id },
    h("a", { href: `#/p/${product.product_id}`, tabindex: "-1", "aria-hidden": "true" }, thumb(product)),
    h("a.name", { href: `#/p/${product.product_id}` }, product.product_name),
    h("div.meta", {}, [product.brand, product.category_l1].filter(Boolean).join(" · ")),
    h("div.row", {}, h("span.price", {}, money(product.list_price, product.currency)), stockBadge(product.available)),
    h("div.actions", {},
      h("button.btn.primary.small", { type: "button", disabled: product.available <= 0, "aria-label": `Add ${product.product_name} to cart`, onclick: () => addToCart(product) }, "Add to cart")));
}

function micIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = '<path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z"/>';
  return svg;
}

function voiceButton(input, submit) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) return null;
  const button = h("button.mic", { type: "button", "aria-label": "Search by voice", "aria-pressed": "false", title: "Search by voice" }, micIcon());
  button.addEventListener("click", () => {
    const recognition = new Recognition();
    recognition.lang = document.documentElement.lang || "en-US";
    recognition.interimResults = false;
    button.setAttribute("aria-pressed", "true");
    recognition.onresult = (event) => {
      input.value = event.results[0][0].transcript;
      submit();
    };
    recognition.onerror = (event) => toast(`Voice search unavailable: ${event.error}`);
    recognition.onend = () => button.setAttribute("aria-pressed", "false");
    recognition.start();
  });
  return button;
}

function hashWith(params, changes) {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === "" || value === null || value === undefined) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return `#/${text ? `?${text}` : ""}`;
}

export async function catalogView(main, _match, params) {
  const q = params.get("q") || "";
  const page = Math.max(1, Number(params.get("page") || 1));
  const search = h("input", { type: "search", name: "q", value: q, placeholder: "Search products, brands, SKUs…", "aria-label": "Search products" });
  const submit = () => {
    const text = search.value.trim();
    if (text) track("SEARCH", { query: text.slice(0, 200) });
    go(hashWith(params, { q: text, page: "" }));
  };
  const searchForm = h("form.searchbar", { role: "search", onsubmit: (e) => { e.preventDefault(); submit(); } },
    search, voiceButton(search, submit), h("button.btn.primary", { type: "submit" }, "Search"));

  if (!categories) categories = await api("/api/customer/categories").catch(() => []);
  const category = h("select", { name: "category" }, h("option", { value: "" }, "All categories"),
    categories.map((c) => h("option", { value: c.category, selected: params.get("category") === c.category }, `${c.category} (${c.products})`)));
  const minPrice = h("input", { name: "min_price", type: "number", min: "0", step: "1", inputmode: "decimal", value: params.get("min_price") || "", placeholder: "0" });
  const maxPrice = h("input", { name: "max_price", type: "number", min: "0", step: "1", inputmode: "decimal", value: params.get("max_price") || "", placeholder: "Any" });
  const sort = h("select", { name: "sort" }, SORTS.map(([value, text]) => h("option", { value, selected: (params.get("sort") || "name") === value }, text)));
  const filters = h("form", { "aria-label": "Filters", onsubmit: (e) => {
    e.preventDefault();
    go(hashWith(params, { category: category.value, min_price: minPrice.value, max_price: maxPrice.value, sort: sort.value, page: "" }));
  } },
  field("Category", category),
  h("div.inline-fields", {}, field("Min price", minPrice), field("Max price", maxPrice)),
  field("Sort by", sort), h("button.btn.block", { type: "submit" }, "Apply filters"),
  h("a.small", { href: "#/", style: "display:block;text-align:center;margin-top:.5rem" }, "Clear all"));
  sort.addEventListener("change", () => filters.requestSubmit());
  category.addEventListener("change", () => filters.requestSubmit());

  const results = h("div", { "aria-live": "polite" }, loading("Loading products…"));
  mount(main,
    h("section.hero", {}, h("h1", {}, "Everything you need, delivered worldwide"), h("p", {}, "Free returns within 30 days · secure checkout"), searchForm),
    h("div.catalog", {}, h("aside", {}, h("details.card", { open: window.matchMedia("(min-width: 900px)").matches || params.has("category") }, h("summary", {}, "Filters"), filters)), results));

  const request = {
    q, category: params.get("category"), min_price: params.get("min_price"), max_price: params.get("max_price"),
    sort: params.get("sort"), limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE,
  };
  try {
    const found = await api(`/api/customer/products${query(request)}`);
    const pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
    const heading = h("div.page-head", {}, h("h2", { style: "margin:0" }, q ? `Results for “${q}”` : "All products"),
      h("span.muted", { id: "result-count" }, `${found.total} product${found.total === 1 ? "" : "s"}`));
    if (!found.items.length) {
      mount(results, heading, h("div.card", {}, emptyState(q ? `No products match “${q}”. Try another word or clear the filters.` : "No products match these filters.", "🔍")));
      return;
    }
    mount(results, heading, h("div.products", {}, found.items.map(card)),
      h("nav.pager", { "aria-label": "Pages" },
        page > 1 ? h("a.btn.small", { href: hashWith(params, { page: page - 1 }), rel: "prev" }, "← Previous") : null,
        h("span.muted.small", {}, `Page ${page} of ${pages}`),
        page < pages ? h("a.btn.small", { href: hashWith(params, { page: page + 1 }), rel: "next" }, "Next →") : null));
  } catch (error) {
    mount(results, errorBox(error, () => catalogView(main, _match, params)));
  }
}

export async function productView(main, match) {
  const id = Number(match[1]);
  mount(main, loading("Loading the product…"));
  let product;
  try {
    product = await api(`/api/customer/products/${id}`);
  } catch (error) {
    mount(main, error.status === 404 ? emptyState("This product is no longer available.", "📦") : errorBox(error), h("p", { style: "text-align:center" }, h("a.btn", { href: "#/" }, "Back to the shop")));
    return;
  }
  track("VIEW_PRODUCT", { product_id: id });
  const qty = h("input.qty", { type: "number", min: "1", max: String(Math.max(1, Math.min(99, product.available))), value: "1", name: "qty" });
  mount(main,
    h("nav.small", { "aria-label": "Breadcrumb", style: "margin-bottom:1rem" }, h("a", { href: "#/" }, "Shop"), " / ",
      h("a", { href: `#/?category=${encodeURIComponent(product.category_l1 || "")}` }, product.category_l1 || "All"), " / ", product.product_name),
    h("div.detail", {},
      thumb(product),
      h("div.stack", {},
        h("h1", {}, product.product_name),
        h("div.muted", {}, [product.brand, product.category_l1, product.category_l2].filter(Boolean).join(" · "), ` · SKU ${product.sku}`),
        h("div.price.big", {}, money(product.list_price, product.currency)),
        h("div.row", {}, stockBadge(product.available), product.units_sold ? h("span.muted.small", {}, `${product.units_sold} sold`) : null),
        h("form.row", { onsubmit: (e) => { e.preventDefault(); addToCart(product, Math.max(1, Number(qty.value) || 1)); } },
          h("label.sr-only", { for: "qty" }, "Quantity"), Object.assign(qty, { id: "qty" }),
          h("button.btn.primary", { type: "submit", disabled: product.available <= 0 }, "Add to cart")),
        h("ul.muted.small", {}, h("li", {}, "Ships in 1–2 business days"), h("li", {}, "Free returns within 30 days of delivery")))));
}
