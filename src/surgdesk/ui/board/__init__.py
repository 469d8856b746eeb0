"""The OR board: a Gantt view of rooms (rows) and their cases (bars), KDGantt-style.

- ``model``: rooms and their cases as a ``QAbstractItemModel`` (start/end as roles);
- ``grid``: the only place that maps time to x and back, and that writes a drop;
- ``rows``: the row controller (room to y and back);
- ``delegate``: paints a bar and says what a mouse position over it means;
- ``items``: the graphics items; while dragging only the item moves;
- ``view``: the ``orBoard`` view; ``undo``: the undoable service calls;
- ``export``: the same painting, offscreen, to PNG or PDF.
"""
