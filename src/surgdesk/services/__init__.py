"""Use cases the GUI and CLI both call. Every rule is enforced here. No Qt."""
