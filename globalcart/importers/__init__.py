"""Real-data importers: store exports and public data sets → landing files in the contract.

Each importer returns an ``ImportBatch`` (landing frames + a per-source-row import report);
``write_batch`` writes it as a landing folder that ``globalcart load`` ingests like generated
data. See docs/importing.md.
"""

from globalcart.importers.cdnow import import_cdnow
from globalcart.importers.csv_orders import import_csv
from globalcart.importers.landing import ImportBatch, SourceError, read_report, write_batch
from globalcart.importers.mapping import Mapping, load_mapping
from globalcart.importers.online_retail import import_online_retail

__all__ = [
    "ImportBatch",
    "Mapping",
    "SourceError",
    "import_cdnow",
    "import_csv",
    "import_online_retail",
    "load_mapping",
    "read_report",
    "write_batch",
]
