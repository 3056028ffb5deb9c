// Live freshness indicator: polls /api/admin/freshness and re-renders the page when a new build
// lands, so the dashboard moves without a reload.
import { api } from "../js/api.js";
import { h, mount } from "../js/ui.js";

const POLL_MS = 5000;

function describe(report) {
  const worker = report.worker;
  const failed = (worker && worker.consecutive_failures > 0) || (report.last_refresh && report.last_refresh.status === "failed");
  if (failed) {
    const error = (worker && worker.last_error) || (report.last_refresh && report.last_refresh.error) || "refresh failed";
    return { tone: "bad", text: "Refresh failing", title: error };
  }
  const lag = Math.max(0, ...report.sources.map((source) => source.lag_seconds));
  const waiting = report.sources.some((source) => source.pending && source.lag_seconds > 30);
  const text = lag < 1 ? "Live · up to date" : `Live · ${Math.round(lag)} s behind`;
  return { tone: waiting ? "warn" : "good", text, title: `last build ${report.last_build_at || "never"}` };
}

export function startLive(target, onBuild) {
  let lastBuild = null;
  let timer = null;
  async function poll() {
    if (!target.isConnected) return;
    try {
      const report = await api("/api/admin/freshness");
      const { tone, text, title } = describe(report);
      mount(target, h(`span.badge.${tone}`, { title, role: "status", "aria-live": "polite" }, text));
      if (lastBuild !== null && report.last_build_at !== lastBuild) onBuild();
      lastBuild = report.last_build_at;
    } catch (error) {
      mount(target, h("span.badge.warn", { title: error.message, role: "status" }, "Freshness unknown"));
    }
    timer = setTimeout(poll, POLL_MS);
  }
  clearTimeout(timer);
  poll();
}
