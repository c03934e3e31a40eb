"""Demo files in every state, made through the same services the pages and the API use."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.auth.models import User
from eoffice.core.db import office_today
from eoffice.files import service as files
from eoffice.files.models import File
from eoffice.notings import service as notings
from eoffice.org.models import Desk
from eoffice.receipts import service as receipts


def _actor(session: Session, username: str, desk_code: str) -> tuple[User, Desk]:
    user = session.scalars(sa.select(User).where(User.username == username)).one()
    desk = session.scalars(sa.select(Desk).where(Desk.code == desk_code)).one()
    return user, desk


def load_demo_files(session: Session, store, signing_key=None) -> int:
    """Create the demo's dak and files unless there are files already; returns files created.
    `store` is the object store the issued letter's PDF goes to; `signing_key` the office's key
    it is signed with (eoffice.pdf.signing; by default the one the settings name)."""
    if session.scalar(sa.select(sa.func.count(File.id))):
        return 0
    if signing_key is None:
        from eoffice.core.config import load_config
        from eoffice.pdf.signing import office_key

        signing_key = office_key(load_config())
    today = office_today()
    hc = _actor(session, "hc.estt", "SPKNJ-HC-ESTT")
    crime = _actor(session, "hc.crime", "SPKNJ-HC-CRIME")
    asp = _actor(session, "asp.knj", "SPKNJ-ASP")
    sp = _actor(session, "sp.knj", "SPKNJ-SP")
    munshi = _actor(session, "munshi.kotwali", "PSKOT-MUNSHI")
    sho = _actor(session, "sho.kotwali", "PSKOT-SHO")

    def dak(actor, subject, sender, mode="post", **extra):
        return receipts.diarise(
            session,
            *actor,
            {
                "subject": subject,
                "mode": mode,
                "received_on": today,
                "sender_name": sender,
                **extra,
            },
        )

    # 1. leave application: noted by the head clerk, sent to the ASP (unread in the ASP's inbox)
    r1 = dak(
        hc,
        "आरक्षी राम सिंह का 3 दिवस का आकस्मिक अवकाश प्रार्थना पत्र",
        "राम सिंह, आरक्षी 1234",
        mode="hand",
        sender_designation="आरक्षी",
        language="hi",
    )
    f1 = files.create_file(
        session,
        *hc,
        {"subject": r1.subject, "head": "11", "category": "C", "priority": "priority"},
        [r1.id],
    )
    notings.add_note(
        session,
        *hc,
        f1.id,
        "प्रार्थी का अवकाश खाता संलग्न है (देखें C/1)। 3 दिवस आकस्मिक अवकाश शेष है। अवलोकनार्थ प्रस्तुत।",
    )
    files.send_file(session, *hc, f1.id, "SPKNJ-ASP", "अवलोकनार्थ", None, today + dt.timedelta(3))

    # 2. a complaint file with a draft approved and issued, then closed by the SP
    r2 = dak(
        crime,
        "Complaint of theft of motorcycle UP-74 AB 1234 from Kannauj bazaar",
        "Suresh Yadav",
        mode="portal",
        sender_mobile="9415000001",
        language="en",
    )
    f2 = files.create_file(
        session, *crime, {"subject": r2.subject, "head": "21", "category": "B"}, [r2.id]
    )
    notings.add_note(
        session,
        *crime,
        f2.id,
        "Complaint at C/1. Report may be called from SHO Kotwali within 7 days.",
    )
    d2 = notings.create_draft(
        session,
        *crime,
        f2.id,
        "थानाध्यक्ष कोतवाली से आख्या",
        "सेवा में,\nथानाध्यक्ष कोतवाली\nकृपया संलग्न शिकायत पर 7 दिवस में आख्या प्रस्तुत करें।",
    )
    files.send_file(session, *crime, f2.id, "SPKNJ-SP", "आदेशार्थ", "immediate")
    files.open_file(session, sp[0], sp[1], f2.id)
    notings.add_note(session, *sp, f2.id, "मसौदा अनुमोदित। जारी करें।")
    notings.approve_draft(session, *sp, d2.id)
    notings.issue_draft(
        session,
        *sp,
        d2.id,
        store=store,
        signing_key=signing_key,
        mode="hand",
        addressees=[{"name": "थानाध्यक्ष", "designation": "थाना कोतवाली, कन्नौज"}],
    )
    files.close(session, *sp, f2.id, "आख्या मांगी गई; पत्रावली बंद")

    # 3. parked at the thana
    f3 = files.create_file(
        session,
        *munshi,
        {"subject": "थाना कोतवाली मालखाना निरीक्षण 2026", "head": "31", "category": "A"},
    )
    notings.add_note(session, *munshi, f3.id, "मालखाना रजिस्टर अद्यतन है।")
    files.send_file(session, *munshi, f3.id, "PSKOT-SHO", "अवलोकनार्थ")
    files.open_file(session, sho[0], sho[1], f3.id)
    files.park(session, *sho, f3.id, "निरीक्षण तिथि तय होने तक")

    # 4. opened in the ASP's inbox, with a draft waiting for approval
    f4 = files.create_file(
        session,
        *hc,
        {
            "subject": "Annual firing practice schedule 2026-27",
            "head": "12",
            "category": "B",
            "priority": "most_immediate",
        },
    )
    notings.add_note(session, *hc, f4.id, "Draft schedule placed below for approval.")
    notings.create_draft(
        session,
        *hc,
        f4.id,
        "Firing practice schedule",
        "All SHOs are informed that the annual firing practice ...",
    )
    files.send_file(session, *hc, f4.id, "SPKNJ-ASP", "For approval", "most_immediate")
    files.open_file(session, asp[0], asp[1], f4.id)

    # 5. a receipt still waiting on the head clerk's desk
    dak(hc, "पुलिस लाइन में आवास आवंटन हेतु प्रार्थना पत्र", "मुख्य आरक्षी विनोद कुमार")
    return 4
