"""The web UI: storefront, admin dashboard and public dashboard (static, no build step)."""
