"""A district-sized database for the benchmarks: files, movements, notes, receipts and drafts.

    .venv/bin/python -m bench.generate --db sqlite:///bench/out/efile.sqlite3 --files 50000

The organisation is the demo district (Kannauj) grown to a whole district: 20 offices and about 60
desks, loaded through `eoffice.org.service.load_org` like any real organisation file. Users keep
known passwords (the demo ones, or BENCH_PASSWORD) so the benchmark can ask for API tokens.

Every file's life is simulated first (created, sent along the channel of submission and back,
pulled back, parked, closed, reopened; notes written at the desk holding it), then all rows are
sorted by time and numbered, so ids grow with time as they do in a live system (a file's
movements are spread over the whole table, not stored side by side), and written with bulk Core
inserts in batches. The invariants the app relies on hold: `files.last_movement_id` is the
file's newest movement and `holder_desk_id` that movement's `to_desk_id`; `file_access` has every
desk the file passed through; notes are numbered 1..n per file and final once the file was sent
after them; pulled-back movements were never opened. Audit events are not generated.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import joinedload

from eoffice import migrate
from eoffice.auth.models import User
from eoffice.core import kinds
from eoffice.core.db import Database
from eoffice.core.numbering import Counter
from eoffice.core.uow import commit
from eoffice.files.models import Correspondence, File, FileAccess, Movement
from eoffice.notings.models import Draft, DraftVersion, Note
from eoffice.org.models import Desk, DeskHolding
from eoffice.receipts.models import Receipt

kinds.load_modules()  # every mapped class, for the tables

DEMO_FILE = Path(__file__).resolve().parent.parent / "eoffice" / "demo" / "district.yaml"
BENCH_PASSWORD = "bench-pass-2026"  # noqa: S105  (every generated user; demo users keep theirs)
BATCH = 5_000
DAY = 86_400.0
YEARS = 5

# --- the organisation -------------------------------------------------------------------------

# (code, English, Hindi) of the thanas added to the demo's three, by circle
NEW_THANAS = {
    "COKNJ": [("PSMHL", "Mahila Thana Kannauj", "महिला थाना कन्नौज")],
    "COTRW": [
        ("PSTHT", "Thana Thathiya", "थाना ठठिया"),
        ("PSTLG", "Thana Talgram", "थाना तालग्राम"),
        ("PSIDG", "Thana Indergarh", "थाना इन्दरगढ़"),
        ("PSUMR", "Thana Umarda", "थाना उमर्दा"),
    ],
    "COCHB": [
        ("PSSRK", "Thana Saurikh", "थाना सौरिख"),
        ("PSGSG", "Thana Gursahaiganj", "थाना गुरसहायगंज"),
        ("PSVSG", "Thana Vishungarh", "थाना विशुनगढ़"),
        ("PSSKR", "Thana Sakrawa", "थाना सकरावा"),
        ("PSHSR", "Thana Haseran", "थाना हसेरन"),
    ],
}

PEOPLE = [
    ("Ram Singh", "राम सिंह"),
    ("Shyam Lal Verma", "श्याम लाल वर्मा"),
    ("Mohd. Arif", "मो. आरिफ़"),
    ("Sunita Devi", "सुनीता देवी"),
    ("Rakesh Kumar", "राकेश कुमार"),
    ("Pooja Yadav", "पूजा यादव"),
    ("Ajay Pratap Singh", "अजय प्रताप सिंह"),
    ("Salma Khatoon", "सलमा खातून"),
    ("Vinod Kumar Pal", "विनोद कुमार पाल"),
    ("Neha Mishra", "नेहा मिश्रा"),
    ("Harish Chandra Dubey", "हरीश चन्द्र दुबे"),
    ("Imran Khan", "इमरान ख़ान"),
    ("Geeta Kushwaha", "गीता कुशवाहा"),
    ("Sandeep Rajput", "संदीप राजपूत"),
    ("Mahesh Prasad Shukla", "महेश प्रसाद शुक्ला"),
    ("Anita Shakya", "अनीता शाक्य"),
    ("Dharmendra Katiyar", "धर्मेन्द्र कटियार"),
    ("Rubina Begum", "रुबीना बेगम"),
    ("Santosh Kumar Gupta", "संतोष कुमार गुप्ता"),
    ("Ravi Shankar Tiwari", "रवि शंकर तिवारी"),
    ("Kamlesh Devi", "कमलेश देवी"),
    ("Sachin Chauhan", "सचिन चौहान"),
    ("Jitendra Nath Awasthi", "जितेन्द्र नाथ अवस्थी"),
    ("Farhan Siddiqui", "फ़रहान सिद्दीक़ी"),
]


def district_org() -> dict:
    """The demo district grown to the size of a real one, as an organisation file's data."""
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    offices, desks, users = data["offices"], data["desks"], data["users"]
    names = iter(PEOPLE * 4)

    def office(code, name, name_hi, kind, parent):
        offices.append(
            {"code": code, "name": name, "name_hi": name_hi, "kind": kind, "parent": parent}
        )

    def desk(code, title, title_hi, office, reports_to=None, section=None, *, user, roles):
        entry = {"code": code, "title": title, "title_hi": title_hi, "office": office}
        if reports_to:
            entry["reports_to"] = reports_to
        if section:
            entry["section"] = section
        desks.append(entry)
        en, hi = next(names)
        users.append(
            {
                "username": user,
                "name": en,
                "name_hi": hi,
                "password": BENCH_PASSWORD,
                "roles": roles,
                "desks": [code],
                "locale": "hi",
            }
        )

    officer, clerk = ["officer"], ["clerk"]
    sp = next(o for o in offices if o["code"] == "SPKNJ")
    sp["sections"] += [
        {"code": "Accts", "name": "Accounts", "name_hi": "लेखा शाखा"},
        {"code": "Comp", "name": "Complaint Cell", "name_hi": "शिकायत प्रकोष्ठ"},
    ]
    desk("ZKNP-ADG", "ADG Zone Kanpur", "अपर पुलिस महानिदेशक", "ZKNP", user="adg.knp", roles=officer)
    desk(
        "RKNP-IG",
        "IG Range Kanpur",
        "पुलिस महानिरीक्षक",
        "RKNP",
        "ZKNP-ADG",
        user="ig.knp",
        roles=officer,
    )
    for code, title, title_hi, reports_to, section, user, roles in (
        ("STENO", "Steno to SP", "आशुलिपिक पुलिस अधीक्षक", "SP", "Reader", "steno.sp", clerk),
        (
            "HC-ACCTS",
            "Head Clerk (Accounts)",
            "प्रधान लिपिक (लेखा)",
            "ASP",
            "Accts",
            "hc.accts",
            clerk,
        ),
        ("COMPLAINT", "Complaint Cell", "शिकायत प्रकोष्ठ", "ASP", "Comp", "complaint.knj", clerk),
        ("DCRB", "DCRB Incharge", "प्रभारी डीसीआरबी", "ASP", "Crime", "dcrb.knj", officer),
        ("CLERK-ESTT", "Clerk (Estt)", "लिपिक (अधिष्ठान)", "HC-ESTT", "Estt", "clerk.estt", clerk),
    ):
        desk(
            f"SPKNJ-{code}",
            title,
            title_hi,
            "SPKNJ",
            f"SPKNJ-{reports_to}",
            section,
            user=user,
            roles=roles,
        )
    desk(
        "COKNJ-READER",
        "Reader to CO City",
        "वाचक क्षेत्राधिकारी नगर",
        "COKNJ",
        "COKNJ-CO",
        user="reader.cocity",
        roles=clerk,
    )
    for code, place, place_hi in (
        ("PSKOT", "Kotwali", "कोतवाली"),
        ("PSTRW", "Tirwa", "तिर्वा"),
        ("PSCHB", "Chhibramau", "छिबरामऊ"),
    ):
        if code == "PSCHB":
            desk(
                f"{code}-MUNSHI",
                f"Head Moharrir {place}",
                f"हेड मोहर्रिर {place_hi}",
                code,
                f"{code}-SHO",
                user="munshi.chhibramau",
                roles=clerk,
            )
        desk(
            f"{code}-CCTNS",
            f"CCTNS Operator {place}",
            f"सीसीटीएनएस ऑपरेटर {place_hi}",
            code,
            f"{code}-MUNSHI",
            user=f"cctns.{place.lower()}",
            roles=clerk,
        )

    office("PLKNJ", "Police Lines Kannauj", "पुलिस लाइन कन्नौज", "district", "SPKNJ")
    desk(
        "PLKNJ-RI",
        "Reserve Inspector",
        "प्रतिसार निरीक्षक",
        "PLKNJ",
        "SPKNJ-ASP",
        user="ri.lines",
        roles=officer,
    )
    desk(
        "PLKNJ-HC",
        "Head Clerk Police Lines",
        "प्रधान लिपिक पुलिस लाइन",
        "PLKNJ",
        "PLKNJ-RI",
        user="hc.lines",
        roles=clerk,
    )
    for circle, town, town_hi in (("COTRW", "Tirwa", "तिर्वा"), ("COCHB", "Chhibramau", "छिबरामऊ")):
        office(circle, f"Circle Office {town}", f"क्षेत्राधिकारी कार्यालय {town_hi}", "circle", "SPKNJ")
        desk(
            f"{circle}-CO",
            f"Circle Officer {town}",
            f"क्षेत्राधिकारी {town_hi}",
            circle,
            "SPKNJ-ASP",
            user=f"co.{town.lower()}",
            roles=officer,
        )
        desk(
            f"{circle}-READER",
            f"Reader to CO {town}",
            f"वाचक क्षेत्राधिकारी {town_hi}",
            circle,
            f"{circle}-CO",
            user=f"reader.co{town.lower()}",
            roles=clerk,
        )
    for circle, thanas in NEW_THANAS.items():
        for code, name, name_hi in thanas:
            place, place_hi = name.split(" ", 1)[1], name_hi.split(" ", 1)[1]
            slug = code[2:].lower()
            office(code, name, name_hi, "thana", circle)
            desk(
                f"{code}-SHO",
                f"SHO {place}",
                f"थानाध्यक्ष {place_hi}",
                code,
                f"{circle}-CO",
                user=f"sho.{slug}",
                roles=officer,
            )
            desk(
                f"{code}-MUNSHI",
                f"Head Moharrir {place}",
                f"हेड मोहर्रिर {place_hi}",
                code,
                f"{code}-SHO",
                user=f"munshi.{slug}",
                roles=clerk,
            )
            desk(
                f"{code}-CCTNS",
                f"CCTNS Operator {place}",
                f"सीसीटीएनएस ऑपरेटर {place_hi}",
                code,
                f"{code}-MUNSHI",
                user=f"cctns.{slug}",
                roles=clerk,
            )
    return data


def demo_org() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


def passwords() -> dict[str, str]:
    """username -> password, for every user either organisation may have."""
    return {u["username"]: u["password"] for u in district_org()["users"]}


# --- texts ------------------------------------------------------------------------------------

THANAS = [
    ("Kotwali", "कोतवाली"),
    ("Tirwa", "तिर्वा"),
    ("Chhibramau", "छिबरामऊ"),
    ("Saurikh", "सौरिख"),
    ("Thathiya", "ठठिया"),
    ("Talgram", "तालग्राम"),
    ("Gursahaiganj", "गुरसहायगंज"),
    ("Vishungarh", "विशुनगढ़"),
    ("Indergarh", "इन्दरगढ़"),
    ("Umarda", "उमर्दा"),
]
VILLAGES = [
    ("Jalalabad", "जलालाबाद"),
    ("Makrandnagar", "मकरंदनगर"),
    ("Sikandarpur", "सिकंदरपुर"),
    ("Bahadurpur", "बहादुरपुर"),
    ("Nadau", "नादऊ"),
    ("Kusumkhor", "कुसुमखोर"),
    ("Mirzapur Kalan", "मिर्ज़ापुर कलां"),
    ("Rampur Majhila", "रामपुर मझिला"),
]
RANKS = [("Constable", "आरक्षी"), ("Head Constable", "मुख्य आरक्षी"), ("SI", "उपनिरीक्षक")]
SECTIONS = ["303(2)", "115(2)", "352", "351(3)", "318(4)", "324(4)", "109", "74"]

# (head, English subject, Hindi subject)
SUBJECTS = [
    (
        "Comp",
        "Complaint No. {n}/{year} received at PS {thana}: inquiry report",
        "थाना {thana_hi} में दर्ज शिकायत संख्या {n} की जांच",
    ),
    (
        "Crime",
        "Crime No. {n}/{year} u/s {sec} BNS, PS {thana}: progress of investigation",
        "मु0अ0सं0 {n}/{year} धारा {sec} बीएनएस थाना {thana_hi} की विवेचना की प्रगति",
    ),
    (
        "Leave",
        "Leave application of {rank} {name}",
        "{rank_hi} {name_hi} का अर्जित अवकाश प्रार्थना पत्र",
    ),
    (
        "Arms",
        "Arms licence application of {name}, village {village}",
        "शस्त्र लाइसेंस आवेदन – श्री {name_hi}, ग्राम {village_hi}",
    ),
    (
        "Verif",
        "Character verification of {name}, village {village}",
        "{name_hi} निवासी ग्राम {village_hi} का चरित्र सत्यापन",
    ),
    (
        "IGRS",
        "IGRS reference {big}: disposal report, PS {thana}",
        "जनसुनवाई पोर्टल (IGRS) संदर्भ संख्या {big} का निस्तारण, थाना {thana_hi}",
    ),
    (
        "PE",
        "Preliminary inquiry against {rank} {name}, PS {thana}",
        "{rank_hi} {name_hi} थाना {thana_hi} के विरुद्ध प्रारम्भिक जांच",
    ),
    (
        "MT",
        "Repair of official vehicle UP-74-G-{n4} of PS {thana}",
        "थाना {thana_hi} के सरकारी वाहन UP-74-G-{n4} की मरम्मत हेतु बजट",
    ),
    (
        "Estt",
        "Transfer of {rank} {name} from PS {thana} to PS {thana2}",
        "{rank_hi} {name_hi} का थाना {thana_hi} से थाना {thana2_hi} स्थानान्तरण",
    ),
    (
        "Accts",
        "Medical reimbursement claim of {rank} {name}",
        "{rank_hi} {name_hi} के चिकित्सा प्रतिपूर्ति दावे का भुगतान",
    ),
]

NOTE_SENTENCES = [
    "प्रस्तुत पत्रावली {subject} से संबंधित है।",
    "थानाध्यक्ष {thana_hi} से आख्या प्राप्त की गई, जो पत्रावली पर पत्राचार पृष्ठ C/{p} पर सुलभ है।",
    "कृपया अवलोकन कर आदेशार्थ प्रस्तुत।",
    "जांच आख्या के अनुसार आरोप सिद्ध नहीं पाए गए, अतः प्रकरण समाप्त किए जाने की संस्तुति है।",
    "आवेदक के अवकाश लेखे में {n} दिवस का अर्जित अवकाश शेष है।",
    "विवेचक द्वारा {n} गवाहों के बयान अंकित किए जा चुके हैं, शेष कार्यवाही प्रचलित है।",
    "पुलिस रेगुलेशन के प्रस्तर {n} के अनुसार कार्यवाही अपेक्षित है।",
    "Report of SHO {thana} received and placed below at C/{p}.",
    "Submitted for perusal and orders please.",
    "The IO has recorded statements of {n} witnesses; the charge sheet is under preparation.",
    "As per para {n} of the Police Regulations, the matter may be referred to the CO for inquiry.",
    "Approved. Issue the letter as proposed.",
    "Please put up with the previous correspondence.",
    "The applicant has no criminal antecedents as per the DCRB report.",
    "Budget is available under head 2055-00-109; the expenditure may be sanctioned.",
    "SHO {thana} की आख्या दिनांक {date} को प्राप्त, placed below for kind perusal.",
    "Leave account verified; {n} days EL शेष हैं, अवकाश स्वीकृत किया जा सकता है।",
    "DCRB से आपराधिक इतिहास की रिपोर्ट मांगी गई है, which is still awaited.",
    "CO {thana} please inquire and report within {n} days / 7 दिवस में आख्या दें।",
    "अवलोकित। Discussed with ASP; आवश्यक कार्यवाही करें।",
]
SEND_REMARKS = [
    "कृपया अवलोकन करें",
    "आवश्यक कार्यवाही हेतु",
    "आख्या सहित प्रस्तुत",
    "For necessary action",
    "For perusal and orders",
    "Please inquire and report",
    "Report by return / तत्काल आख्या दें",
    None,
    None,
]
PARK_REMARKS = ["न्यायालय के आदेश की प्रतीक्षा", "Awaiting report of the forensic lab", None]
CLOSE_REMARKS = ["कार्यवाही पूर्ण, पत्रावली बंद की जाती है।", "Action completed; file closed."]
SENDERS = [
    "District Magistrate Kannauj",
    "जिलाधिकारी कन्नौज",
    "Chief Medical Officer",
    "ग्राम प्रधान",
    "IGRS Portal",
    "मुख्यमंत्री कार्यालय",
]


def subject_values(rng: random.Random, year: int) -> dict:
    thana, thana_hi = rng.choice(THANAS)
    thana2, thana2_hi = rng.choice(THANAS)
    name, name_hi = rng.choice(PEOPLE)
    village, village_hi = rng.choice(VILLAGES)
    rank, rank_hi = rng.choice(RANKS)
    return {
        "thana": thana,
        "thana_hi": thana_hi,
        "thana2": thana2,
        "thana2_hi": thana2_hi,
        "name": name,
        "name_hi": name_hi,
        "village": village,
        "village_hi": village_hi,
        "rank": rank,
        "rank_hi": rank_hi,
        "sec": rng.choice(SECTIONS),
        "n": rng.randint(1, 999),
        "n4": rng.randint(1000, 9999),
        "big": rng.randint(10**10, 10**11 - 1),
        "year": year,
    }


def note_text(rng: random.Random, values: dict, at: float) -> str:
    values = dict(values)
    values["p"] = rng.randint(1, 12)
    values["n"] = rng.randint(2, 45)
    values["date"] = dt.datetime.fromtimestamp(at - rng.random() * 5 * DAY, dt.UTC).strftime(
        "%d.%m.%Y"
    )
    count = rng.choice((1, 2, 2, 3, 3, 4))
    return " ".join(s.format(**values) for s in rng.sample(NOTE_SENTENCES, count))


# --- the simulation ---------------------------------------------------------------------------


@dataclass
class OrgInfo:
    desk_ids: list[int]
    code: dict[int, str]
    office: dict[int, int]
    office_code: dict[int, str]
    section: dict[int, int | None]
    section_code: dict[int, str | None]
    user: dict[int, int]
    up: dict[int, int | None]
    down: dict[int, list[int]]
    peers: dict[int, list[int]]
    creators: list[int]
    creator_weights: list[float]
    holders: list[int]
    holder_weights: list[float]


def read_org(session) -> OrgInfo:
    rows = session.scalars(
        sa.select(Desk).options(joinedload(Desk.office), joinedload(Desk.section))
    )
    desks = [d for d in rows if d.active]
    holders, roles = {}, {}
    held = session.execute(
        sa.select(DeskHolding.desk_id, User.id, User.roles_text)
        .join(User, User.id == DeskHolding.user_id)
        .where(DeskHolding.until.is_(None), User.active.is_(True))
        .order_by(DeskHolding.since)
    )
    for desk_id, user_id, user_roles in held:
        holders[desk_id], roles[desk_id] = user_id, user_roles or ""
    # files move between desks whose holders act on files (not auditors, not empty desks)
    desks = [d for d in desks if d.id in holders and "auditor" not in roles[d.id]]
    ids = [d.id for d in desks]
    by_id = {d.id: d for d in desks}
    down: dict[int, list[int]] = defaultdict(list)
    peers: dict[int, list[int]] = defaultdict(list)
    for d in desks:
        if d.reports_to_id in by_id:
            down[d.reports_to_id].append(d.id)
        peers[d.id] = [o.id for o in desks if o.office_id == d.office_id and o.id != d.id]

    def holder_weight(code: str) -> float:
        # a few desks collect most pending files: the SP's reader above all
        for suffix, w in (("-READER", 6.0), ("-SP", 8.0), ("-ASP", 5.0), ("-CO", 3.0)):
            if code.endswith(suffix):
                return 18.0 if code == "SPKNJ-READER" else w
        if code.endswith("-SHO"):
            return 2.5
        if code.endswith(("-MUNSHI", "-HC-ESTT", "-HC-CRIME", "-COMPLAINT")):
            return 2.0
        return 1.0

    return OrgInfo(
        desk_ids=ids,
        code={d.id: d.code for d in desks},
        office={d.id: d.office_id for d in desks},
        office_code={d.id: d.office.code for d in desks},
        section={d.id: d.section_id for d in desks},
        section_code={d.id: d.section.code if d.section else None for d in desks},
        user={d.id: holders[d.id] for d in desks},
        up={d.id: d.reports_to_id if d.reports_to_id in by_id else None for d in desks},
        down=dict(down),
        peers=dict(peers),
        creators=ids,
        creator_weights=[1.0 if "officer" in roles[i] else 3.0 for i in ids],
        holders=ids,
        holder_weights=[holder_weight(by_id[i].code) for i in ids],
    )


def spread(total: int, weights: list[float], minimum: int) -> list[int]:
    """Whole numbers, each at least `minimum`, summing to `total`, in proportion to weights."""
    rest = total - minimum * len(weights)
    if rest < 0:
        raise click.UsageError(f"{total} is too few for {len(weights)} files")
    scale = rest / sum(weights)
    raw = [w * scale for w in weights]
    counts = [minimum + int(r) for r in raw]
    short = total - sum(counts)
    by_fraction = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in by_fraction[:short]:
        counts[i] += 1
    return counts


# movement tuple fields
M_AT, M_FILE, M_SEQ, M_KIND, M_FROM, M_TO, M_BY, M_REMARKS, M_PRIO, M_DUE, M_OPENED, M_OPENED_BY = (
    range(12)
)
PRIORITIES = ["normal"] * 14 + ["priority"] * 3 + ["immediate"] * 2 + ["most_immediate"]


@dataclass
class Plan:
    files: list[dict] = field(default_factory=list)
    movements: list[list] = field(default_factory=list)
    # (at, file index, desk, author, final, stay index)
    notes: list[tuple] = field(default_factory=list)
    access: list[tuple] = field(default_factory=list)  # (at, file index, desk)
    receipts: list[dict] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)


class Simulator:
    def __init__(self, org: OrgInfo, rng: random.Random, now: float):
        self.org, self.rng, self.now = org, rng, now

    def route(self, holder: int) -> int:
        org, r = self.org, self.rng.random()
        if r < 0.45 and org.up.get(holder):
            return org.up[holder]
        if r < 0.70 and org.down.get(holder):
            return self.rng.choice(org.down[holder])
        if r < 0.85 and org.peers.get(holder):
            return self.rng.choice(org.peers[holder])
        while True:
            other = self.rng.choice(org.desk_ids)
            if other != holder:
                return other

    def times(self, t0: float, k: int, status: str) -> list[float]:
        rng = self.rng
        gaps = [600 + rng.expovariate(1 / (2.5 * DAY)) for _ in range(k - 1)]
        if status == "closed":
            end = min(self.now - 60, t0 + sum(gaps))
        else:
            # pending files were mostly received in the last weeks
            end = max(t0 + 60 * k, self.now - rng.expovariate(1 / (20 * DAY)))
            end = min(end, self.now - 60)
        if gaps and t0 + sum(gaps) != end:
            scale = (end - t0) / sum(gaps)
            gaps = [g * scale for g in gaps]
        out, t = [t0], t0
        for g in gaps:
            t += g
            out.append(t)
        return out

    def file(self, plan: Plan, fi: int, t0: float, k: int, n_notes: int, status: str, heavy=False):
        org, rng = self.org, self.rng
        creator = rng.choices(org.creators, org.creator_weights)[0]
        final = rng.choices(org.holders, org.holder_weights)[0]
        year = dt.datetime.fromtimestamp(t0, dt.UTC).year
        head, en, hi = rng.choice(SUBJECTS)
        values = subject_values(rng, year)
        hindi = rng.random() < 0.55
        subject = (hi if hindi else en).format(**values)
        values["subject"] = subject
        priority = rng.choice(PRIORITIES)
        at = self.times(t0, k, status)

        moves: list[list] = []

        def move(kind, src, dst, by_desk, remarks=None, due=None):
            moves.append(
                [
                    at[len(moves)],
                    fi,
                    len(moves),
                    kind,
                    src,
                    dst,
                    org.user[by_desk],
                    remarks,
                    priority,
                    due,
                    None,
                    None,
                ]
            )

        move("created", None, creator, creator)
        holder, last_kind = creator, "created"
        tail = 1 if status in ("closed", "parked") and k > 1 else 0
        middle = k - 1 - tail
        j = 0
        while j < middle:
            last_step = j == middle - 1
            r = rng.random()
            if not last_step and r < 0.04 and last_kind not in ("parked", "reopened"):
                move("parked", holder, holder, holder, rng.choice(PARK_REMARKS))
                last_kind = "parked"
            elif not last_step and r < 0.07 and last_kind == "sent":
                sent = moves[-1]
                sender, receiver = sent[M_FROM], sent[M_TO]
                move("pulled_back", receiver, sender, sender)
                holder, last_kind = sender, "pulled_back"
            elif j + 2 < middle and r < 0.085 and last_kind != "parked":
                move("closed", holder, holder, holder, rng.choice(CLOSE_REMARKS))
                move("reopened", holder, holder, holder, "पुनः जांच हेतु / reopened for review")
                j += 1
                last_kind = "reopened"
            else:
                target = self.route(holder)
                if last_step and final != holder and status != "closed":
                    target = final
                if rng.random() < 0.08:
                    priority = rng.choice(PRIORITIES)
                due = None
                if rng.random() < 0.1:
                    due = _ts(at[len(moves)]).date() + dt.timedelta(rng.randint(3, 15))
                move("sent", holder, target, holder, rng.choice(SEND_REMARKS), due)
                holder, last_kind = target, "sent"
            j += 1
        if tail:
            if status == "closed":
                move("closed", holder, holder, holder, rng.choice(CLOSE_REMARKS))
            else:
                move("parked", holder, holder, holder, rng.choice(PARK_REMARKS))

        # opened: every sent movement, except pulled-back ones and some newly received files
        for i, m in enumerate(moves):
            if m[M_KIND] != "sent":
                continue
            pulled = i + 1 < len(moves) and moves[i + 1][M_KIND] == "pulled_back"
            unread = i == len(moves) - 1 and status == "open" and not heavy and rng.random() < 0.35
            if not pulled and not unread:
                nxt = moves[i + 1][M_AT] if i + 1 < len(moves) else self.now
                m[M_OPENED] = m[M_AT] + min(rng.expovariate(1 / 14_400), (nxt - m[M_AT]) / 2)
                m[M_OPENED_BY] = org.user[m[M_TO]]
        plan.movements.extend(moves)

        seen: dict[int, float] = {}
        for m in moves:
            for desk in (m[M_FROM], m[M_TO]):
                if desk is not None and desk not in seen:
                    seen[desk] = m[M_AT]
        plan.access.extend((t, fi, desk) for desk, t in seen.items())

        # notes, in the stays between movements (none while the file lay closed)
        last_sent = max((i for i, m in enumerate(moves) if m[M_KIND] == "sent"), default=-1)
        stays = [i for i, m in enumerate(moves) if m[M_KIND] != "closed"]
        note_times = []
        for _ in range(n_notes):
            i = rng.choice(stays)
            start = moves[i][M_AT]
            end = moves[i + 1][M_AT] if i + 1 < len(moves) else self.now
            note_times.append((start + (end - start) * (0.05 + 0.9 * rng.random()), i))
        note_times.sort()
        for t, i in note_times:
            desk = moves[i][M_TO]
            plan.notes.append((t, fi, desk, org.user[desk], i < last_sent, values))

        # correspondence: a receipt that opened the file, more of them in long files; drafts
        n_receipts = (1 if rng.random() < 0.2 else 0) + (20 if heavy else 0)
        for r in range(n_receipts):
            i = 0 if r == 0 else rng.choice(stays)
            t = moves[i][M_AT] - (3600 if i == 0 else -600)
            desk = moves[i][M_TO]
            plan.receipts.append(
                {"at": t, "file": fi, "desk": desk, "user": org.user[desk], "values": values}
            )
        n_drafts = (1 if rng.random() < 0.05 else 0) + (5 if heavy else 0)
        for _ in range(n_drafts):
            i = rng.choice(stays)
            desk = moves[i][M_TO]
            end = moves[i + 1][M_AT] if i + 1 < len(moves) else self.now
            status_d = rng.choice(("draft", "approved", "issued")) if i < last_sent else "draft"
            plan.drafts.append(
                {
                    "at": moves[i][M_AT] + (end - moves[i][M_AT]) * 0.3,
                    "file": fi,
                    "desk": desk,
                    "user": org.user[desk],
                    "status": status_d,
                    "versions": rng.randint(1, 3),
                    "values": values,
                    "hindi": hindi,
                }
            )

        plan.files.append(
            {
                "fi": fi,
                "office": org.office[creator],
                "section": org.section[creator],
                "office_code": org.office_code[creator],
                "section_code": org.section_code[creator],
                "head": head,
                "year": year,
                "subject": subject,
                "category": rng.choice("AABBBCCCCC"),
                "priority": priority,
                "status": status,
                "holder": holder,
                "created_by": org.user[creator],
                "created_at": t0,
                "updated_at": max(moves[-1][M_AT], note_times[-1][0] if note_times else 0),
                "version": k + n_notes,
            }
        )


def plan_district(org: OrgInfo, n_files: int, n_moves: int, n_notes: int, seed: int, now: float):
    rng = random.Random(seed)
    sim = Simulator(org, rng, now)
    start = now - YEARS * 365 * DAY
    created = sorted(start + rng.random() * (now - start - DAY) for _ in range(n_files))
    # a few long-running files (a departmental inquiry open for years) for the file page
    n_heavy = min(5, max(1, n_files // 1000))
    heavy_moves = max(2, min(400, n_moves // (20 * n_heavy)))
    heavy_notes = min(300, n_notes // (20 * n_heavy))
    heavy = set(rng.sample(range(n_files // 5, n_files // 2 or 1), n_heavy))
    light = [i for i in range(n_files) if i not in heavy]
    moves = spread(n_moves - heavy_moves * n_heavy, [rng.lognormvariate(0, 0.7) for _ in light], 2)
    notes = spread(
        n_notes - heavy_notes * n_heavy, [m * rng.lognormvariate(0, 0.8) for m in moves], 0
    )
    per_file = dict(zip(light, zip(moves, notes, strict=True), strict=True))
    plan = Plan()
    with click.progressbar(length=n_files, label="simulating files", file=sys.stderr) as bar:
        for fi, t0 in enumerate(created):
            if fi in heavy:
                sim.file(plan, fi, t0, heavy_moves, heavy_notes, "open", heavy=True)
            else:
                k, n = per_file[fi]
                young = now - t0 < 180 * DAY
                weights = (0.55, 0.10, 0.35) if young else (0.07, 0.05, 0.88)
                status = rng.choices(("open", "parked", "closed"), weights)[0]
                sim.file(plan, fi, t0, k, n, status)
            if fi % 1000 == 999:
                bar.update(1000)
        bar.update(n_files % 1000)
    return plan, rng


# --- writing ----------------------------------------------------------------------------------


def _ts(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def _insert(conn, table, rows, bar=None) -> None:
    for i in range(0, len(rows), BATCH):
        chunk = rows[i : i + BATCH]
        conn.execute(table.insert(), chunk)
        if bar is not None:
            bar.update(len(chunk))


def _next_id(conn, table) -> int:
    return (conn.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def write(db: Database, plan: Plan, rng: random.Random) -> dict[str, int]:
    files_t, moves_t, notes_t = File.__table__, Movement.__table__, Note.__table__
    access_t, receipts_t, corr_t = FileAccess.__table__, Receipt.__table__, Correspondence.__table__
    drafts_t, versions_t, counters_t = Draft.__table__, DraftVersion.__table__, Counter.__table__
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        first = {t.name: _next_id(conn, t) for t in (files_t, moves_t, notes_t, receipts_t)}
        first |= {t.name: _next_id(conn, t) for t in (corr_t, drafts_t, versions_t)}

    # files: ids in order of creation, serials per office, head and year
    file_id = {f["fi"]: first["files"] + n for n, f in enumerate(plan.files)}
    serials: dict[tuple, int] = defaultdict(int)
    file_rows = []
    for f in plan.files:
        key = (f["office"], f"file:{f['head']}", f["year"])
        serials[key] += 1
        section = f["section_code"] or f["office_code"]
        file_rows.append(
            {
                "id": file_id[f["fi"]],
                "office_id": f["office"],
                "section_id": f["section"],
                "number": f"{f['head']}/{serials[key]}/{f['year']}-{section}",
                "head": f["head"],
                "serial": serials[key],
                "year": f["year"],
                "subject": f["subject"],
                "category": f["category"],
                "priority": f["priority"],
                "status": f["status"],
                "holder_desk_id": f["holder"],
                "last_movement_id": None,  # set once the movements exist
                "created_by_id": f["created_by"],
                "created_at": _ts(f["created_at"]),
                "updated_at": _ts(f["updated_at"]),
                "version": f["version"],
            }
        )

    plan.movements.sort(key=lambda m: (m[M_AT], m[M_FILE], m[M_SEQ]))
    plan.notes.sort(key=lambda n: (n[0], n[1]))
    plan.access.sort(key=lambda a: (a[0], a[1]))
    plan.receipts.sort(key=lambda r: (r["at"], r["file"]))
    plan.drafts.sort(key=lambda d: (d["at"], d["file"]))
    total = 2 * len(file_rows) + len(plan.movements) + len(plan.notes) + len(plan.access)
    total += len(plan.receipts) + len(plan.drafts)

    with (
        db.engine.begin() as conn,
        click.progressbar(length=total, label="writing rows    ", file=sys.stderr) as bar,
    ):
        _insert(conn, files_t, file_rows, bar)
        counts["files"] = len(file_rows)
        del file_rows

        rows = []
        for n, m in enumerate(plan.movements):
            rows.append(
                {
                    "id": first["movements"] + n,
                    "file_id": file_id[m[M_FILE]],
                    "kind": m[M_KIND],
                    "from_desk_id": m[M_FROM],
                    "to_desk_id": m[M_TO],
                    "by_user_id": m[M_BY],
                    "at": _ts(m[M_AT]),
                    "remarks": m[M_REMARKS],
                    "priority": m[M_PRIO],
                    "due_on": m[M_DUE],
                    "opened_at": _ts(m[M_OPENED]) if m[M_OPENED] is not None else None,
                    "opened_by_id": m[M_OPENED_BY],
                }
            )
            if len(rows) == BATCH:
                _insert(conn, moves_t, rows, bar)
                rows = []
        _insert(conn, moves_t, rows, bar)
        counts["movements"] = len(plan.movements)

        # the newest movement of each file, and the desk it went to
        last = sa.select(sa.func.max(moves_t.c.id)).where(moves_t.c.file_id == files_t.c.id)
        lo, hi = first["files"], first["files"] + len(plan.files)
        for start in range(lo, hi, BATCH):
            conn.execute(
                files_t.update()
                .where(files_t.c.id >= start, files_t.c.id < min(hi, start + BATCH))
                .values(last_movement_id=last.scalar_subquery())
            )
            bar.update(min(hi, start + BATCH) - start)

        number: dict[int, int] = defaultdict(int)
        rows = []
        for n, (t, fi, desk, author, final, values) in enumerate(plan.notes):
            number[fi] += 1
            rows.append(
                {
                    "id": first["notes"] + n,
                    "file_id": file_id[fi],
                    "number": number[fi],
                    "text": note_text(rng, values, t),
                    "author_id": author,
                    "desk_id": desk,
                    "created_at": _ts(t),
                    "edited_at": None,
                    "final": final,
                }
            )
            if len(rows) == BATCH:
                _insert(conn, notes_t, rows, bar)
                rows = []
        _insert(conn, notes_t, rows, bar)
        counts["notes"] = len(plan.notes)

        rows = [{"file_id": file_id[fi], "desk_id": desk} for _t, fi, desk in plan.access]
        _insert(conn, access_t, rows, bar)
        counts["file_access"] = len(rows)

        _write_correspondence(conn, plan, first, file_id, rng, bar, counts)
        conn.execute(
            counters_t.insert(),
            [{"office_id": o, "kind": k, "year": y, "value": v} for (o, k, y), v in serials.items()]
            + [
                {"office_id": o, "kind": k, "year": y, "value": v}
                for (o, k, y), v in counts.pop("_receipt_serials").items()
            ],
        )
        check(conn)
    return counts


def _write_correspondence(conn, plan, first, file_id, rng, bar, counts) -> None:
    receipts_t, corr_t = Receipt.__table__, Correspondence.__table__
    drafts_t, versions_t = Draft.__table__, DraftVersion.__table__
    serials: dict[tuple, int] = defaultdict(int)
    pages: dict[int, int] = defaultdict(int)
    receipts, entries, drafts, versions = [], [], [], []
    # receipts and issued drafts take the next correspondence page in time order
    items = [("r", r["at"], r) for r in plan.receipts] + [("d", d["at"], d) for d in plan.drafts]
    items.sort(key=lambda x: (x[1], x[2]["file"]))
    office_of = {f["fi"]: (f["office"], f["office_code"]) for f in plan.files}
    modes = ["post", "hand", "email", "portal", "fax"]
    for kind, at, item in items:
        fi = item["file"]
        office, office_code = office_of[fi]
        year = _ts(at).year
        if kind == "r":
            serials[(office, "receipt", year)] += 1
            serial = serials[(office, "receipt", year)]
            rid = first["receipts"] + len(receipts)
            values = item["values"]
            receipts.append(
                {
                    "id": rid,
                    "office_id": office,
                    "number": f"R/{year}/{serial:06d}",
                    "year": year,
                    "serial": serial,
                    "received_on": _ts(at).date(),
                    "mode": rng.choice(modes),
                    "sender_name": rng.choice(SENDERS),
                    "sender_designation": None,
                    "sender_organisation": None,
                    "sender_address": None,
                    "sender_mobile": None,
                    "sender_email": None,
                    "letter_number": f"{rng.randint(100, 9999)}/{year}",
                    "letter_date": (_ts(at) - dt.timedelta(days=rng.randint(1, 10))).date(),
                    "subject": values["subject"],
                    "category": None,
                    "language": None,
                    "enclosures": None,
                    "remarks": None,
                    "status": "filed",
                    "holder_desk_id": item["desk"],
                    "created_desk_id": item["desk"],
                    "created_by_id": item["user"],
                    "created_at": _ts(at),
                    "file_id": file_id[fi],
                    "version": 1,
                }
            )
            pages[fi] += 1
            entries.append(
                {
                    "id": first["correspondence"] + len(entries),
                    "file_id": file_id[fi],
                    "page": pages[fi],
                    "kind": "receipt",
                    "receipt_id": rid,
                    "draft_id": None,
                    "title": values["subject"],
                    "added_at": _ts(at + 60),
                }
            )
            continue
        did = first["drafts"] + len(drafts)
        values = item["values"]
        title = ("पत्र: " if item["hindi"] else "Letter: ") + values["subject"]
        n_versions = item["versions"]
        status = item["status"]
        drafts.append(
            {
                "id": did,
                "file_id": file_id[fi],
                "title": title,
                "status": status,
                "version": n_versions,
                "approved_version": n_versions if status != "draft" else None,
                "approved_by_id": item["user"] if status != "draft" else None,
                "approved_at": _ts(at + 7200) if status != "draft" else None,
                "dispatch_number": f"{office_code}/{year}/{did}" if status == "issued" else None,
                "issued_at": _ts(at + 9000) if status == "issued" else None,
                "issued_by_id": item["user"] if status == "issued" else None,
                "created_at": _ts(at),
            }
        )
        for v in range(1, n_versions + 1):
            versions.append(
                {
                    "id": first["draft_versions"] + len(versions),
                    "draft_id": did,
                    "version": v,
                    "body": note_text(rng, values, at) + "\n\n" + note_text(rng, values, at),
                    "author_id": item["user"],
                    "desk_id": item["desk"],
                    "created_at": _ts(at + 600 * v),
                }
            )
        if status == "issued":
            pages[fi] += 1
            entries.append(
                {
                    "id": first["correspondence"] + len(entries),
                    "file_id": file_id[fi],
                    "page": pages[fi],
                    "kind": "issued",
                    "receipt_id": None,
                    "draft_id": did,
                    "title": title,
                    "added_at": _ts(at + 9000),
                }
            )
    for table, rows in ((receipts_t, receipts), (drafts_t, drafts), (versions_t, versions)):
        _insert(conn, table, rows)
    _insert(conn, corr_t, entries)
    bar.update(len(items))
    counts["receipts"], counts["drafts"], counts["correspondence"] = (
        len(receipts),
        len(drafts),
        len(entries),
    )
    counts["_receipt_serials"] = serials


def check(conn) -> None:
    """The invariants the app relies on; a broken generator must not write a database."""
    bad = conn.scalar(
        sa.text(
            "SELECT count(*) FROM files f LEFT JOIN movements m ON m.id = f.last_movement_id "
            "WHERE m.id IS NULL OR m.to_desk_id != f.holder_desk_id "
            "OR m.id != (SELECT max(id) FROM movements WHERE file_id = f.id)"
        )
    )
    if bad:
        raise click.ClickException(f"{bad} files whose last movement or holder is wrong")
    bad = conn.scalar(
        sa.text(
            "SELECT count(*) FROM (SELECT DISTINCT file_id, to_desk_id FROM movements) m "
            "LEFT JOIN file_access a ON a.file_id = m.file_id AND a.desk_id = m.to_desk_id "
            "WHERE a.file_id IS NULL"
        )
    )
    if bad:
        raise click.ClickException(f"{bad} desks a file passed through have no file_access")
    bad = conn.scalar(
        sa.text(
            "SELECT count(*) FROM (SELECT file_id FROM notes GROUP BY file_id "
            "HAVING min(number) != 1 OR max(number) != count(*)) x"
        )
    )
    if bad:
        raise click.ClickException(f"{bad} files whose notes are not numbered 1..n")


def finish(db: Database) -> None:
    """SQLite: fold the WAL into the file. PostgreSQL: move the id sequences past the ids we
    chose, and gather statistics as autovacuum would (SQLite gets no ANALYZE: the app never runs
    one, so the benchmark sees the plans a real installation gets)."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    tables = ("files", "movements", "notes", "receipts", "correspondence", "drafts")
    with db.engine.begin() as conn:
        for table in (*tables, "draft_versions"):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))


def load_organisation(db: Database, which: str) -> None:
    from eoffice.auth.models import configure_hasher
    from eoffice.org.service import load_org

    with db.sessionmaker() as session:
        if session.scalar(sa.select(sa.func.count(User.id))):
            click.echo("the database already has users: the organisation is kept", err=True)
            return
    # argon2id still, at a cost that makes loading 60 users quick (benchmark logins too)
    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    with db.write_sessionmaker() as session:
        report = load_org(session, district_org() if which == "district" else demo_org())
        commit(session)  # load_org only flushes
    click.echo(f"organisation: {report.summary()}", err=True)


def generate(url: str, n_files: int, n_moves: int, n_notes: int, org: str, seed: int) -> dict:
    began = time.perf_counter()
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            if conn.scalar(sa.select(sa.func.count()).select_from(File.__table__)):
                raise click.ClickException("the database already has files; use an empty one")
        load_organisation(db, org)
        with db.sessionmaker() as session:
            info = read_org(session)
        now = time.time()
        plan, rng = plan_district(info, n_files, n_moves, n_notes, seed, now)
        counts = write(db, plan, rng)
        finish(db)
    finally:
        db.dispose()
    counts["seconds"] = round(time.perf_counter() - began, 1)
    return counts


@click.command()
@click.option("--db", "url", required=True, help="sqlite:///PATH or a PostgreSQL URL (empty)")
@click.option("--files", "n_files", default=50_000, show_default=True)
@click.option("--movements", "n_moves", type=int, help="default: 11 per file")
@click.option("--notes", "n_notes", type=int, help="default: 6 per file")
@click.option(
    "--org", type=click.Choice(["district", "demo"]), default="district", show_default=True
)
@click.option("--seed", default=2026, show_default=True)
def main(url, n_files, n_moves, n_notes, org, seed) -> None:
    """Fill an empty eoffice database with a district's files (migrates it first)."""
    n_moves = n_moves or 11 * n_files
    n_notes = n_notes if n_notes is not None else 6 * n_files
    if n_files < 1 or n_moves < 2 * n_files:
        raise click.UsageError("need at least one file and two movements per file")
    counts = generate(url, n_files, n_moves, n_notes, org, seed)
    seconds = counts.pop("seconds")
    click.echo(
        ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" written in {seconds} s", err=True
    )
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        click.echo(f"{path}: {path.stat().st_size / 2**20:,.0f} MiB", err=True)


if __name__ == "__main__":
    main()
