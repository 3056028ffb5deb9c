// Storefront state: who is signed in, how many items are in the cart, the header links.
import { api } from "../js/api.js";
import { go, h, mount } from "../js/ui.js";

export const state = { me: null, cartCount: 0, notice: null };

export async function refreshMe() {
  try {
    state.me = (await api("/api/customer/session")).user;
  } catch {
    state.me = null;
  }
  await refreshCart();
}

export async function refreshCart(cart) {
  if (!state.me || state.me.role !== "customer") {
    state.cartCount = 0;
  } else {
    try {
      const current = cart || (await api("/api/customer/cart"));
      state.cartCount = current.lines.reduce((sum, line) => sum + line.qty, 0);
    } catch {
      state.cartCount = 0;
    }
  }
  renderNav();
}

export function renderNav() {
  const here = location.hash.split("?")[0] || "#/";
  const link = (href, text, extra) => h("a", { href, "aria-current": here === href ? "page" : null }, text, extra);
  const cart = link("#/cart", "Cart", state.cartCount ? h("span.badge-count", { "aria-label": `${state.cartCount} items` }, state.cartCount) : null);
  const nav = document.getElementById("shop-nav");
  if (state.me) {
    mount(nav, link("#/", "Shop"), link("#/orders", "Orders"), cart,
      h("span.muted.small", {}, state.me.full_name || state.me.email),
      h("button.linkbtn", { type: "button", id: "logout", onclick: logout }, "Sign out"));
  } else {
    mount(nav, link("#/", "Shop"), cart, link("#/login", "Sign in"), h("a.btn.primary.small", { href: "#/signup" }, "Create account"));
  }
}

async function logout() {
  try {
    await api("/api/auth/logout", { method: "POST" });
  } catch {
    // already signed out on the server: forget the session here too
  }
  state.me = null;
  state.cartCount = 0;
  renderNav();
  go("#/");
}

/** Send the visitor to sign in (and back to ``returnTo`` afterwards); true when signed in. */
export function requireSignIn(returnTo, reason) {
  if (state.me) return true;
  state.notice = reason || "Please sign in to continue.";
  go(`#/login?next=${encodeURIComponent(returnTo)}`);
  return false;
}

/** A session that ended on the server (expired, revoked) while the page was open. */
export function sessionExpired() {
  if (!state.me) return;
  state.me = null;
  state.cartCount = 0;
  state.notice = "Your session has expired. Please sign in again.";
  renderNav();
  go(`#/login?next=${encodeURIComponent(location.hash || "#/")}`);
}

export function takeNotice() {
  const notice = state.notice;
  state.notice = null;
  return notice;
}
