// Storefront funnel events: every stage goes to POST /api/events with this tab's session id.
import { api } from "./api.js";

const KEY = "gc_shop_session";

export function sessionId() {
  let id = sessionStorage.getItem(KEY);
  if (!id) {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    id = `s${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    sessionStorage.setItem(KEY, id);
  }
  return id;
}

/** Record one funnel stage (never blocks or breaks the page: failures are only logged). */
export function track(stage, detail = {}) {
  const event = { stage, ts: new Date().toISOString(), ...detail };
  const sent = api("/api/events", { method: "POST", body: { session_id: sessionId(), events: [event] }, quiet401: true })
    .catch((error) => console.warn(`funnel event ${stage} not recorded: ${error.message}`));
  window.__gcEvents = window.__gcEvents || [];
  window.__gcEvents.push(stage);
  return sent;
}
