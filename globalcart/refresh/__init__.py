"""Near-real-time refresh: storefront rows and watched landing batches into the KPIs.

``core.refresh_once`` runs one cycle, ``worker.RefreshWorker`` repeats it with backoff (in
``globalcart serve`` or ``globalcart refresh --watch``), ``freshness`` reports the lag per
source and ``simulate`` plays a live store through the storefront API.
"""

from globalcart.refresh.core import RefreshError, RefreshResult, refresh_once

__all__ = ["RefreshError", "RefreshResult", "refresh_once"]
