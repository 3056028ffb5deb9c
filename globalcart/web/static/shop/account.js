// Sign-up, password sign-in and one-time-code sign-in.
import { api } from "../js/api.js";
import { field, formData, go, h, mount } from "../js/ui.js";
import { refreshMe, state, takeNotice } from "./state.js";

function nextHash(params) {
  const next = params.get("next") || "#/";
  return next.startsWith("#/") ? next : "#/";
}

function formCard(title, subtitle, form, footer) {
  const notice = takeNotice();
  return h("section.card.form-card", {},
    h("h1", {}, title), h("p.muted", {}, subtitle),
    notice ? h("div.alert.info", { role: "status" }, notice) : null,
    form, footer ? h("p.small.muted", { style: "margin-top:1rem" }, footer) : null);
}

function submitter(form, errorBox, action, busyText) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const text = button.textContent;
    button.disabled = true;
    button.textContent = busyText;
    errorBox.hidden = true;
    try {
      await action(formData(form));
    } catch (error) {
      errorBox.hidden = false;
      errorBox.textContent = error.message;
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  });
}

async function signedIn(params) {
  await refreshMe();
  go(nextHash(params));
}

export function loginView(main, _match, params) {
  const error = h("div.alert.error", { role: "alert", hidden: true });
  const form = h("form", { novalidate: true },
    error,
    field("E-mail", h("input", { name: "email", type: "email", autocomplete: "email", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button.btn.primary.block", { type: "submit" }, "Sign in"));
  submitter(form, error, async (data) => {
    await api("/api/auth/login", { method: "POST", body: { email: data.email, password: data.password }, quiet401: true });
    await signedIn(params);
  }, "Signing in…");
  const keep = params.get("next") ? `?next=${encodeURIComponent(params.get("next"))}` : "";
  mount(main, formCard("Welcome back", "Sign in to your GlobalCart account.", form, [
    "No password? ", h("a", { href: `#/otp${keep}` }, "E-mail me a sign-in code"), ". New here? ",
    h("a", { href: `#/signup${keep}` }, "Create an account"), "."]));
}

export function signupView(main, _match, params) {
  const error = h("div.alert.error", { role: "alert", hidden: true });
  const form = h("form", { novalidate: true },
    error,
    field("Full name", h("input", { name: "full_name", autocomplete: "name", maxlength: "200" })),
    field("E-mail", h("input", { name: "email", type: "email", autocomplete: "email", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "new-password", minlength: "12", required: true }),
      "At least 12 characters; not a common password."),
    h("button.btn.primary.block", { type: "submit" }, "Create account"));
  submitter(form, error, async (data) => {
    await api("/api/auth/signup", { method: "POST", body: { email: data.email, password: data.password, full_name: data.full_name || null } });
    await signedIn(params);
  }, "Creating your account…");
  mount(main, formCard("Create your account", "Track orders, return items and check out faster.", form,
    ["Already have an account? ", h("a", { href: "#/login" }, "Sign in"), "."]));
}

export function otpView(main, _match, params) {
  const error = h("div.alert.error", { role: "alert", hidden: true });
  const sent = h("div.alert.success", { role: "status", hidden: true });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
  const code = h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "\\d{6}", maxlength: "6" });
  const codeField = field("6-digit code", code, "The code expires after 10 minutes.");
  codeField.hidden = true;
  const button = h("button.btn.primary.block", { type: "submit" }, "E-mail me a code");
  const form = h("form", { novalidate: true }, error, sent, field("E-mail", email), codeField, button);
  let stage = "request";
  submitter(form, error, async (data) => {
    if (stage === "request") {
      const answer = await api("/api/auth/otp/request", { method: "POST", body: { email: data.email } });
      sent.hidden = false;
      sent.textContent = `${answer.detail[0].toUpperCase()}${answer.detail.slice(1)}.`;
      codeField.hidden = false;
      stage = "verify";
      setTimeout(() => { button.textContent = "Sign in"; code.focus(); });
      return;
    }
    await api("/api/auth/otp/verify", { method: "POST", body: { email: data.email, code: data.code }, quiet401: true });
    await signedIn(params);
  }, "Please wait…");
  mount(main, formCard("Sign in with a code", "We e-mail you a one-time code: no password needed.", form,
    ["Prefer your password? ", h("a", { href: "#/login" }, "Sign in with it"), "."]));
  if (state.me) go(nextHash(params));
}
