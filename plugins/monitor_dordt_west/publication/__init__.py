"""Quarterly publications for the stuurgroepen: from the marts to a PDF and a workbook per pillar.

``publish.publish`` is the entry point. The modules, in the order the data flows:
``queries`` (every read of the marts and the publication register), ``assembly`` (the content
of a quarter in named steps, with ``disclosure``: disclosure control), ``content`` (the typed
content model, frozen dataclasses), ``register`` (versions, files, fingerprints and change
detection in ``mdw_meta.publicatie*``), and the renderers ``excel``, ``pdf`` and ``tables``
(CSV/Parquet), which read the content model only; what the workbook and the report show alike
is ``presentation``. No renderer imports another.
"""
