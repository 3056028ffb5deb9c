"""Management reports (Excel workbook, PDF briefing), mart exports and the BI guide.

Every number comes from the KPI registry (:func:`globalcart.semantic.compute`) or the registry's
views, like the API, so a report, an export and the dashboard never disagree.
"""
