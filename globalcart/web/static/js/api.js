// Calls to the GlobalCart API: JSON in and out, the CSRF header on changes, problems as errors.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.kind = (this.problem.type || "").split("/").pop();
  }
}

const listeners = [];

/** Called with every 401 answer (expired or missing session). */
export function onUnauthorized(listener) {
  listeners.push(listener);
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

let bearer = null;

/** Send this API key (instead of the cookie session) with every request. */
export function useApiKey(key) {
  bearer = key || null;
}

export async function api(path, { method = "GET", body, headers = {}, quiet401 = false } = {}) {
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (method !== "GET") {
    const csrf = cookie("gc_csrf");
    if (csrf) sent["X-CSRF-Token"] = csrf;
  }
  if (bearer) sent.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, { detail: "the server cannot be reached; check your connection" });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && !quiet401) listeners.forEach((listener) => listener(error));
    throw error;
  }
  return data;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function newKey(prefix = "k") {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
