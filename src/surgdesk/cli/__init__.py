"""The command line: the integration surface for scripts and IT. Calls services only."""
