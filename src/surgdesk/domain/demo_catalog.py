"""Fixed lists the demo generator draws from: specialties, procedures, fictional names.

Plain data, no I/O. Every patient name here is plainly made up ("Doe", "Sample",
"Placeholder"...): demo data must never look like a real person's record.
"""

from __future__ import annotations

from typing import NamedTuple

SPECIALTIES: tuple[str, ...] = (
    "general",
    "orthopedics",
    "cardiac",
    "neuro",
    "urology",
    "gynecology",
    "ENT",
    "plastics",
    "vascular",
    "ophthalmology",
)


class Procedure(NamedTuple):
    name: str
    minutes: int  # typical duration, incision to closure plus positioning
    lateral: bool  # has a side (left / right / sometimes bilateral)
    weight: int = 1  # how common it is on an elective list


PROCEDURES: dict[str, tuple[Procedure, ...]] = {
    "general": (
        Procedure("Laparoscopic cholecystectomy", 75, False, 4),
        Procedure("Inguinal hernia repair", 60, True, 4),
        Procedure("Laparoscopic appendectomy", 50, False, 2),
        Procedure("Umbilical hernia repair", 45, False, 2),
        Procedure("Right hemicolectomy", 150, False, 1),
        Procedure("Thyroidectomy", 120, False, 1),
        Procedure("Excision of lipoma", 30, False, 2),
    ),
    "orthopedics": (
        Procedure("Total hip arthroplasty", 110, True, 4),
        Procedure("Total knee arthroplasty", 110, True, 4),
        Procedure("Arthroscopic ACL reconstruction", 90, True, 2),
        Procedure("Knee arthroscopy, meniscectomy", 45, True, 3),
        Procedure("ORIF distal radius", 70, True, 2),
        Procedure("Carpal tunnel release", 25, True, 2),
        Procedure("Shoulder arthroscopy, rotator cuff repair", 100, True, 2),
    ),
    "cardiac": (
        Procedure("Coronary artery bypass grafting", 240, False, 3),
        Procedure("Aortic valve replacement", 210, False, 2),
        Procedure("Mitral valve repair", 220, False, 1),
        Procedure("Pacemaker implantation", 60, False, 3),
    ),
    "neuro": (
        Procedure("Lumbar microdiscectomy", 90, False, 4),
        Procedure("Anterior cervical discectomy and fusion", 140, False, 2),
        Procedure("Craniotomy for tumour resection", 240, True, 1),
        Procedure("Ventriculoperitoneal shunt", 75, False, 1),
        Procedure("Lumbar laminectomy", 120, False, 2),
    ),
    "urology": (
        Procedure("Transurethral resection of prostate", 75, False, 3),
        Procedure("Cystoscopy", 25, False, 4),
        Procedure("Ureteroscopy with laser lithotripsy", 60, True, 3),
        Procedure("Robotic radical prostatectomy", 200, False, 1),
        Procedure("Laparoscopic nephrectomy", 180, True, 1),
    ),
    "gynecology": (
        Procedure("Laparoscopic hysterectomy", 130, False, 2),
        Procedure("Hysteroscopy", 30, False, 4),
        Procedure("Caesarean section", 60, False, 2),
        Procedure("Laparoscopic ovarian cystectomy", 70, True, 2),
        Procedure("Dilation and curettage", 25, False, 2),
    ),
    "ENT": (
        Procedure("Tonsillectomy", 40, False, 4),
        Procedure("Septoplasty", 60, False, 3),
        Procedure("Functional endoscopic sinus surgery", 90, False, 2),
        Procedure("Tympanoplasty", 100, True, 2),
        Procedure("Myringotomy with grommets", 20, True, 2),
    ),
    "plastics": (
        Procedure("Breast reconstruction", 200, True, 1),
        Procedure("Excision of skin lesion with flap", 45, False, 4),
        Procedure("Carpal tunnel release", 25, True, 2),
        Procedure("Abdominoplasty", 150, False, 1),
        Procedure("Dupuytren fasciectomy", 70, True, 2),
    ),
    "vascular": (
        Procedure("Carotid endarterectomy", 120, True, 2),
        Procedure("Endovascular aneurysm repair", 150, False, 2),
        Procedure("Femoral-popliteal bypass", 180, True, 1),
        Procedure("Arteriovenous fistula creation", 60, True, 4),
        Procedure("Varicose vein ablation", 50, True, 3),
    ),
    "ophthalmology": (
        Procedure("Phacoemulsification with lens implant", 25, True, 6),
        Procedure("Vitrectomy", 75, True, 2),
        Procedure("Trabeculectomy", 60, True, 1),
        Procedure("Strabismus surgery", 50, True, 1),
    ),
}

# Unplanned work for the 24/7 rooms and the odd add-on: (specialty, procedure).
EMERGENCY_PROCEDURES: tuple[tuple[str, Procedure], ...] = (
    ("general", Procedure("Emergency laparotomy", 150, False)),
    ("general", Procedure("Laparoscopic appendectomy", 50, False)),
    ("general", Procedure("Incarcerated hernia repair", 80, True)),
    ("orthopedics", Procedure("Hemiarthroplasty for hip fracture", 90, True)),
    ("orthopedics", Procedure("Open fracture debridement and fixation", 110, True)),
    ("vascular", Procedure("Embolectomy", 90, True)),
    ("vascular", Procedure("Ruptured aneurysm repair", 210, False)),
    ("neuro", Procedure("Evacuation of subdural haematoma", 100, True)),
    ("gynecology", Procedure("Emergency caesarean section", 50, False)),
    ("gynecology", Procedure("Laparoscopy for ectopic pregnancy", 60, True)),
)

# Why a planned case did not happen (notes on cancelled / postponed demo cases).
CANCEL_REASONS: tuple[str, ...] = (
    "Patient unwell on the day (respiratory infection); rebook after recovery",
    "Patient declined surgery after counselling",
    "Anticoagulation not stopped in time",
)
POSTPONE_REASONS: tuple[str, ...] = (
    "Emergency case took the room; rebook within two weeks",
    "Implant set not available; waiting for delivery",
    "Abnormal pre-op labs; repeat and review before rebooking",
)

# Fictional people. Staff get first + last name; usernames come from the last names.
STAFF_FIRST_NAMES: tuple[str, ...] = (
    "Mina", "Jonas", "Priya", "Tomas", "Elena", "Kwame", "Sofia", "Ravi", "Lena", "Mateo",
    "Aiko", "Samuel", "Noor", "Felix", "Ines", "Oskar", "Hana", "Leon", "Amara", "Paul",
    "Yara", "David", "Clara", "Emil", "Zara", "Hugo", "Maya", "Nils", "Ada", "Karim",
)
STAFF_LAST_NAMES: tuple[str, ...] = (
    "Lee", "Novak", "Okafor", "Berg", "Silva", "Haas", "Mensah", "Rossi", "Kaur", "Dahl",
    "Moreau", "Sato", "Lind", "Wagner", "Costa", "Ivanova", "Brandt", "Nakamura", "Osei",
    "Keller", "Fischer", "Petrov", "Jensen", "Romero", "Adler", "Horvat", "Nowak", "Weiss",
    "Bauer", "Yilmaz", "Kowalski", "Lang", "Marsh", "Quinn", "Vogel", "Engel", "Falk",
    "Graf", "Holm", "Kuhn", "Lund", "Maier", "Nagel", "Otto", "Pohl", "Ritter", "Stein",
    "Thal", "Ulrich", "Voss", "Wolff", "Zeller", "Arndt", "Beck", "Dietz", "Ernst", "Frey",
    "Gross", "Hahn", "Jung",
)
# Plainly made-up surnames: nobody mistakes these for a real patient list.
PATIENT_FIRST_NAMES: tuple[str, ...] = (
    "Alex", "Jamie", "Robin", "Sam", "Charlie", "Morgan", "Casey", "Taylor", "Jordan", "Riley",
    "Avery", "Quinn", "Rowan", "Sasha", "Kim", "Noa", "Eli", "Toni", "Mika", "Lou",
)
PATIENT_LAST_NAMES: tuple[str, ...] = (
    "Doe", "Roe", "Sample", "Placeholder", "Example", "Testperson", "Mockwell", "Demoson",
    "Fictus", "Nobody", "Dummy", "Specimen", "Madeup", "Notreal", "Pretend", "Invented",
)
