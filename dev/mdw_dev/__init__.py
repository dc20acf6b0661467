"""Development tools for the Monitor Dordt West, not shipped in the Airflow image.

Synthetic partner deliveries (`samples`) and the benchmark (`benchmark`). The runtime package
`monitor_dordt_west` never imports this package; the CLI offers its commands only when it is
installed (`monitor_dordt_west.cli`).
"""
