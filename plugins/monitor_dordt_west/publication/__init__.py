"""Quarterly publications for the stuurgroepen: from the marts to a PDF and a workbook per pillar.

The mart queries (`queries`), the typed content model (`content`), assembly, disclosure control
and change detection (`assembly`, `disclosure`), the register of versions (`register`), and the
renderers (`presentation` shared by `excel` and `pdf`).
"""
