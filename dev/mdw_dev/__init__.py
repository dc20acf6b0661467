"""Development tools for the Monitor Dordt West, not shipped in the Airflow image.

Synthetic partner deliveries (`samples`) and the benchmark (`benchmark`). The runtime package
`monitor_dordt_west` never imports this package; its commands reach ``mdw`` through the entry point
``monitor_dordt_west.commands`` (pyproject.toml), which loads only where this package is installed.
"""
