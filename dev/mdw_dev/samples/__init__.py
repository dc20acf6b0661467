"""Synthetic partner deliveries, deterministic for a seed: police and population (`core`), SDD,
BLIK and OCD Excel (`social`), calibration to the baseline (`calibration`), files on disk and the
demo delivery (`files`), hostile files (`bad`) and national-scale volumes (`national`).
"""
