"""The demo's preference cards: each surgeon's cards for the common procedures of their
specialty and for those that need equipment (and the robot's surgeons for their robot
cases), with positioning, trays and supplies as a theatre team writes them. Cases of a
surgeon and procedure with a card remember it (``preference_card_id``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from surgdesk.domain.demo_catalog import PROCEDURES, Procedure
from surgdesk.services.demo.equipment import NEEDS, ROBOT_PROCEDURES
from surgdesk.services.demo.plan import Person, Plan

# (positioning, trays, supplies) of a specialty's cases, where no procedure says more.
BY_SPECIALTY: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "general": ("Supine, both arms out on boards", ("Major general tray",),
                ("Chlorhexidine skin prep", "Diathermy pencil and return pad")),
    "orthopedics": ("Supine on the standard table, operative limb free-draped",
                    ("Major orthopaedic tray",),
                    ("Iodine skin prep", "Extremity drape", "Tourniquet cuff")),
    "cardiac": ("Supine, arms tucked, sandbag under the shoulders",
                ("Cardiac major tray", "Sternal saw"),
                ("Defibrillator pads on before prep", "Bone wax", "Pledgeted sutures")),
    "neuro": ("Prone on a Wilson frame, eyes and pressure points checked",
              ("Neuro spine tray",), ("Bipolar forceps", "Haemostatic matrix")),
    "urology": ("Lithotomy, legs in Allen stirrups", ("Cystoscopy tray",),
                ("Irrigation: saline 3 L bags", "Urology drape with fluid pouch")),
    "gynecology": ("Lithotomy, Lloyd-Davies, arms tucked", ("Major gynaecology tray",),
                   ("Uterine manipulator", "Urinary catheter")),
    "ENT": ("Supine, head ring, shoulder roll", ("ENT basic tray",),
            ("Head drape", "Topical vasoconstrictor")),
    "plastics": ("Supine, operative side exposed", ("Plastics fine tray",),
                 ("Skin marker", "5-0 monofilament sutures")),
    "vascular": ("Supine, groins and operative limb prepped", ("Vascular major tray",),
                 ("Heparin 5,000 units drawn up", "Vessel loops", "Shunt set on standby")),
    "ophthalmology": ("Supine, head in the ophthalmic headrest", ("Cataract tray",),
                      ("Viscoelastic", "Eye drape", "Lens per biometry")),
}
# Where a procedure's card says something of its own.
BY_PROCEDURE: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Laparoscopic cholecystectomy": (
        "Supine, reverse Trendelenburg and left tilt, arms out",
        ("Laparoscopy basic tray", "Laparoscopic cholecystectomy instruments"),
        ("12 mm and 5 mm ports", "Clip applier with medium-large clips", "Retrieval bag")),
    "Inguinal hernia repair": (
        "Supine, arms out", ("Hernia tray",),
        ("Lightweight polypropylene mesh 10x15 cm", "Penrose drain for cord retraction")),
    "Total hip arthroplasty": (
        "Lateral decubitus, operative side up, pegboard and padded axilla",
        ("Hip arthroplasty tray", "Implant sets per templating (loan kit checked)"),
        ("Hip positioning pegs", "Cement and mixing system on standby",
         "Pulsed lavage", "Tranexamic acid 1 g")),
    "Total knee arthroplasty": (
        "Supine, thigh tourniquet, foot rest at 90 degrees flexion",
        ("Knee arthroplasty tray", "Implant sets per templating"),
        ("Bone cement x2 with mixing system", "Pulsed lavage", "Tourniquet 300 mmHg")),
    "ORIF distal radius": (
        "Supine, arm on a radiolucent hand table, upper arm tourniquet",
        ("Small fragment set", "Volar distal radius plating set"),
        ("Lead gowns for the team", "Sterile C-arm drape", "K-wires 1.6 mm")),
    "Hemiarthroplasty for hip fracture": (
        "Lateral decubitus, operative side up", ("Hip arthroplasty tray",),
        ("Sterile C-arm drape", "Cement on standby", "Pulsed lavage")),
    "Open fracture debridement and fixation": (
        "Supine, limb on a radiolucent extension", ("Large fragment set",),
        ("Sterile C-arm drape", "Pulsed lavage 6 L", "Negative-pressure dressing")),
    "Coronary artery bypass grafting": (
        "Supine, arms tucked, legs frog-legged for vein harvest",
        ("Cardiac major tray", "Sternal saw", "Vein harvest set"),
        ("Bypass circuit primed (perfusionist)", "Coronary shunts", "Pacing wires")),
    "Pacemaker implantation": (
        "Supine, left arm out, head turned right",
        ("Pacemaker tray",), ("Device and leads per the cardiologist's order",
                              "Sterile C-arm drape", "Antibiotic pouch")),
    "Lumbar microdiscectomy": (
        "Prone on a Wilson frame, knees and eyes padded", ("Neuro spine tray",),
        ("Microscope drape", "Kerrison rongeurs 2 and 3 mm", "Bipolar forceps")),
    "Anterior cervical discectomy and fusion": (
        "Supine, shoulder roll, head on a gel ring, shoulders taped down",
        ("Neuro spine tray", "Cervical retractor system"),
        ("Microscope drape", "Sterile C-arm drape", "Cage and plate per plan")),
    "Craniotomy for tumour resection": (
        "Supine in three-pin head fixation, head turned per lesion",
        ("Craniotomy tray", "High-speed drill"),
        ("Microscope drape", "Navigation reference array", "Dural sealant")),
    "Robotic radical prostatectomy": (
        "Steep Trendelenburg, lithotomy, arms tucked, shoulder supports padded",
        ("Robot instrument tray", "Laparoscopy basic tray"),
        ("Robot drapes x4 arms", "8 mm robotic ports x4 and 12 mm assistant port",
         "Hem-o-lok clips", "Urinary catheter 18 Fr")),
    "Robotic hysterectomy": (
        "Lithotomy, steep Trendelenburg, arms tucked, anti-slip mattress",
        ("Robot instrument tray", "Major gynaecology tray"),
        ("Robot drapes x3 arms", "Uterine manipulator with colpotomy cup",
         "Vaginal occluder")),
    "Robotic right hemicolectomy": (
        "Supine, arms tucked, left tilt and Trendelenburg",
        ("Robot instrument tray", "Laparoscopy basic tray"),
        ("Robot drapes x4 arms", "Robotic stapler 45 mm", "Wound protector")),
    "Ureteroscopy with laser lithotripsy": (
        "Lithotomy", ("Ureteroscopy tray",),
        ("Guidewire 0.035 in", "Laser fibre 200 micron", "Stone basket",
         "Ureteric stent 6 Fr", "Laser goggles for everyone in the room")),
    "Endovascular aneurysm repair": (
        "Supine on the radiolucent table, both groins prepped", ("Vascular major tray",),
        ("Stent graft per sizing", "Contrast 300 ml", "Sterile C-arm drape",
         "Lead gowns for the team")),
    "Varicose vein ablation": (
        "Supine, leg externally rotated", ("Vein ablation set",),
        ("Laser fibre and sheath", "Tumescent anaesthetic", "Laser goggles",
         "Compression stocking")),
    "Phacoemulsification with lens implant": (
        "Supine, head in the ophthalmic headrest, level", ("Cataract tray",),
        ("Intraocular lens per biometry, and a spare", "Viscoelastic",
         "Intracameral cefuroxime")),
    "Tonsillectomy": (
        "Supine, shoulder roll, Boyle-Davis gag", ("Tonsillectomy tray",),
        ("Bipolar diathermy", "Tonsil swabs counted")),
}
NOTES = (
    "Prefers music off during the time-out.",
    "Call the surgeon when the patient is in the anaesthetic room.",
    "Skin closure with absorbable subcuticular sutures.",
    "Local anaesthetic infiltration at the end: 20 ml levobupivacaine 0.25 %.",
    None, None, None,
)
CARDS_PER_SURGEON = 4


@dataclass(frozen=True, slots=True)
class DemoCard:
    id: int
    surgeon: Person
    procedure: Procedure
    notes: str | None


def plan_cards(plan: Plan) -> None:
    """Each surgeon's cards: their robot procedure when they work in the robot's rooms,
    their specialty's procedures needing equipment, then the commonest others."""
    fleet = plan.fleet
    robot_specs = {r.home for r in fleet.robot_rooms} if fleet is not None else set()
    for spec, pool in plan.surgeons.items():
        catalogue = sorted(PROCEDURES.get(spec, ()), key=lambda p: (p.name not in NEEDS,
                                                                    -p.weight, p.name))
        robot = ROBOT_PROCEDURES.get(spec) if spec in robot_specs else None
        choices = ([robot] if robot is not None and robot not in catalogue else []) \
            + catalogue
        for surgeon in pool:
            assert surgeon.profile_id is not None
            for procedure in choices[:CARDS_PER_SURGEON]:
                card_id = plan.new_id("preference_card")
                card = DemoCard(card_id, surgeon, procedure, NOTES[card_id % len(NOTES)])
                plan.cards.append(card)
                plan.card_ids[(surgeon.profile_id, procedure.name)] = card.id


def card_rows(plan: Plan, created: datetime) -> list[dict[str, Any]]:
    fleet = plan.fleet
    kinds = fleet.kinds if fleet is not None else {}
    rows = []
    for card in plan.cards:
        p = card.procedure
        positioning, trays, supplies = BY_PROCEDURE.get(p.name) or BY_SPECIALTY[
            card.surgeon.specialty or "general"]
        rows.append({
            "id": card.id, "created_at": created, "updated_at": created, "version": 1,
            "surgeon_id": card.surgeon.profile_id, "procedure_name": p.name,
            "duration_min": p.minutes,
            "equipment_kind_ids": [kinds[k] for k in NEEDS.get(p.name, ()) if k in kinds],
            "laterality_prompt": p.lateral, "positioning": positioning,
            "trays": list(trays), "supplies": list(supplies), "notes": card.notes,
        })
    return rows
