// Storefront entry point: routes of /shop/ (the part after #).
import { onUnauthorized } from "../js/api.js";
import { emptyState, h, mount, router } from "../js/ui.js";
import { loginView, otpView, signupView } from "./account.js";
import { catalogView, productView } from "./catalog.js";
import { cartView, checkoutView } from "./checkout.js";
import { orderView, ordersView } from "./orders.js";
import { refreshMe, renderNav, sessionExpired } from "./state.js";

const main = document.getElementById("content");

// Each navigation renders into a new element, so a slow view that finishes after the visitor
// has moved on updates a detached element instead of the page.
let started = false;

function view(render) {
  return async (match, params) => {
    renderNav();
    window.scrollTo(0, 0);
    const target = h("div");
    mount(main, target);
    if (started) main.focus({ preventScroll: true }); // screen readers follow the new view
    started = true;
    await render(target, match, params);
    if (target.isConnected) main.dataset.view = render.name;
  };
}

const dispatch = router([
  [/^\/$/, view(catalogView)],
  [/^\/p\/(\d+)$/, view(productView)],
  [/^\/cart$/, view(cartView)],
  [/^\/checkout$/, view(checkoutView)],
  [/^\/orders$/, view(ordersView)],
  [/^\/orders\/([A-Za-z0-9_-]+)$/, view(orderView)],
  [/^\/login$/, view(loginView)],
  [/^\/signup$/, view(signupView)],
  [/^\/otp$/, view(otpView)],
], () => mount(main, emptyState("This page does not exist.", "?"), h("p", { style: "text-align:center" }, h("a.btn", { href: "#/" }, "Back to the shop"))));

onUnauthorized(sessionExpired);
await refreshMe();
await dispatch();
document.body.dataset.ready = "1";
