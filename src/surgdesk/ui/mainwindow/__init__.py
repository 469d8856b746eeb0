"""The main window's parts, one job a module (``ui/main_window.py`` assembles them):

- ``actions``: the menus and their ``QAction``s, declared once, enabled from the actor's
  rights and the outage;
- ``session``: who is signed in — sign-in, switch user, sign-out, the idle lock and
  switching database;
- ``cases``: opening cases and forms, the status menu and the board's context menu;
- ``dialogs``: the admin screens, Go to date, About and the legend;
- ``printing``: the day list (printed or PDF), the downtime copy with its pending audit,
  the board export;
- ``docks``: the queue dock, the side docks (My cases, Case list) and the saved layout;
- ``statusbar``: who and which database, and whether the window is busy;
- ``wall_display``: the wall display opened from the desk.
"""
