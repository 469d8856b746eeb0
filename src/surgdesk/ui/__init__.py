"""Qt widgets, views, dialogs, delegates and item models. Never imports SQLAlchemy."""
