"""The OR board: a Gantt view of rooms (rows) and their cases (bars), KDGantt-style.

- ``model``: rooms and their cases as a ``QAbstractItemModel`` (start/end as roles);
- ``grid``: the only place that maps time to x and back, and that writes a drop;
- ``rows``: the row controller (room to y and back);
- ``delegate``: paints a bar and says what a mouse position over it means;
- ``items``: the graphics items; while dragging only the item moves;
- ``view``: the ``orBoard`` view (its state and scene); ``painting``: its background,
  header and room column; ``interaction``: its mouse, keys, drops and zoom; ``layout``:
  sizes, modes, a drag's state;
- ``controller``: loads and writes through the window's runner (``calls``: the inline
  one for use on its own); ``session``: the live-board session the main window and the
  wall share (controller, live feed, outage); ``undo``: the undoable service calls;
- ``export``: the same painting, offscreen, to PNG or PDF.
"""
