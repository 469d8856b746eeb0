"""Printed output: the OR day list (PDF and Qt's print dialog)."""
