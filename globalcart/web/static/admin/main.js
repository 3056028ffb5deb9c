// Admin entry point: sign-in gate (admin role), side navigation and routes.
import { api, onUnauthorized } from "../js/api.js";
import { emptyState, field, formData, h, mount, router } from "../js/ui.js";
import { auditView, qualityView, runsView } from "./data.js";
import { commerceView, customersAnalyticsView, marketingView } from "./insights.js";
import { customersView, customerView, journeysView, journeyView, ordersView, orderView } from "./ops.js";
import { overviewView } from "./overview.js";
import { startLive } from "./live.js";
import { followData, initRange } from "./range.js";

const main = document.getElementById("content");
const sidenav = document.getElementById("sidenav");
const account = document.getElementById("admin-account");

const SECTIONS = [
  ["Analytics", [["#/", "Overview"], ["#/customers", "Customers"], ["#/commerce", "Products & operations"], ["#/marketing", "Marketing"]]],
  ["Operations", [["#/orders", "Orders"], ["#/customers/list", "Customer 360"], ["#/journeys", "Journeys"]]],
  ["Data", [["#/quality", "Data quality"], ["#/runs", "Pipeline runs"], ["#/audit", "Audit log"]]],
];

function renderNav() {
  const here = location.hash.split("?")[0] || "#/";
  const best = SECTIONS.flatMap(([, links]) => links.map(([href]) => href))
    .filter((href) => here === href || (href !== "#/" && here.startsWith(`${href}/`)))
    .sort((a, b) => b.length - a.length)[0];
  mount(sidenav, SECTIONS.map(([title, links]) => [h("h4", {}, title),
    links.map(([href, text]) => h("a", { href, "aria-current": href === best ? "page" : null }, text))]));
}

function loginView(message) {
  sidenav.hidden = true;
  mount(account);
  const error = h("div.alert.error", { role: "alert", hidden: !message }, message || "");
  const form = h("form", {}, error,
    field("E-mail", h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button.btn.primary.block", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = formData(form);
    try {
      const session = await api("/api/auth/login", { method: "POST", body: { email: data.email, password: data.password }, quiet401: true });
      if (session.user.role !== "admin") {
        await api("/api/auth/logout", { method: "POST" });
        throw new Error("this account is not an administrator");
      }
      start(session.user);
    } catch (err) {
      error.hidden = false;
      error.textContent = err.message;
    }
  });
  mount(main, h("section.card.form-card", {}, h("h1", {}, "Admin sign-in"), h("p.muted", {}, "Administrators only. Every sign-in is audited."), form));
  main.dataset.view = "login";
}

// Each navigation renders into a new element, so a slow view that finishes after the admin
// has moved on updates a detached element instead of the page.
let started = false;

function view(render, name) {
  return async (match, params) => {
    renderNav();
    main.dataset.view = "loading";
    const target = h("div");
    mount(main, target);
    if (started) main.focus({ preventScroll: true }); // screen readers follow the new view
    started = true;
    await render(target, match, params);
    if (target.isConnected) main.dataset.view = name;
  };
}

let dispatch = null;

async function start(user) {
  sidenav.hidden = false;
  const live = h("span", { id: "live-freshness" });
  mount(account, live, h("span.muted.small", {}, user.email), h("a", { href: "/shop/" }, "Store"),
    h("button.linkbtn", { type: "button", onclick: async () => {
      await api("/api/auth/logout", { method: "POST" }).catch(() => null);
      loginView();
    } }, "Sign out"));
  await initRange();
  if (!dispatch) {
    dispatch = router([
      [/^\/$/, view(overviewView, "overview")],
      [/^\/customers$/, view(customersAnalyticsView, "customers")],
      [/^\/commerce$/, view(commerceView, "commerce")],
      [/^\/marketing$/, view(marketingView, "marketing")],
      [/^\/orders$/, view(ordersView, "orders")],
      [/^\/orders\/([A-Za-z0-9_-]+)$/, view(orderView, "order")],
      [/^\/customers\/list$/, view(customersView, "customer-list")],
      [/^\/customers\/(\d+)$/, view(customerView, "customer")],
      [/^\/journeys$/, view(journeysView, "journeys")],
      [/^\/journeys\/(\d+)$/, view(journeyView, "journey")],
      [/^\/quality$/, view(qualityView, "quality")],
      [/^\/runs$/, view(runsView, "runs")],
      [/^\/audit$/, view(auditView, "audit")],
    ], () => mount(main, emptyState("This page does not exist.", "?")));
  }
  startLive(live, async () => {
    await followData();
    dispatch();
  });
  await dispatch();
}

onUnauthorized(() => loginView("Your session has expired. Please sign in again."));
const session = await api("/api/customer/session");
if (session.user && session.user.role === "admin") await start(session.user);
else loginView(session.user ? "This account is not an administrator." : null);
document.body.dataset.ready = "1";
