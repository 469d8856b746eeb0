"""What the demo department looks like: its rooms' turnover, wards and names by specialty,
and the hours of its elective lists. The procedures, reasons and made-up names come from
``domain.demo_catalog``."""

from __future__ import annotations

from datetime import time

EMAIL_DOMAIN = "or.hospital.local"

# Elective lists run 07:00-19:00 on weekdays; emergency rooms are open round the clock
# (opens_at == closes_at, see domain.room_hours).
LIST_OPENS = time(7, 0)
LIST_CLOSES = time(19, 0)
LIST_WEEKDAYS = (0, 1, 2, 3, 4)
ROUND_THE_CLOCK = time(0, 0)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)

TURNOVER = {
    "general": 30, "orthopedics": 40, "cardiac": 45, "neuro": 40, "urology": 30,
    "gynecology": 30, "ENT": 25, "plastics": 25, "vascular": 35, "ophthalmology": 20,
}
LOCATION = {
    "cardiac": "Cardiac theatres, level 3",
    "ophthalmology": "Day surgery unit, level 1",
    "ENT": "Day surgery unit, level 1",
    "plastics": "Day surgery unit, level 1",
}
DEFAULT_LOCATION = "Main theatre suite, level 2"
LABEL = {
    "general": "General surgery", "orthopedics": "Orthopedics", "cardiac": "Cardiac",
    "neuro": "Neurosurgery", "urology": "Urology", "gynecology": "Gynecology", "ENT": "ENT",
    "plastics": "Plastics", "vascular": "Vascular", "ophthalmology": "Ophthalmology",
}
