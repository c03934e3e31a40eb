"""The 7-working-day clock skips Sundays and the gazetted holidays of the office's state."""

import datetime as dt

from eoffice.files.models import (
    WorkCalendar,
    holiday_state,
    holidays_in,
    is_overdue,
    working_days_between,
)

D = dt.date


def test_the_package_knows_up_and_haryana_and_their_holidays():
    assert holiday_state("UP") == "UP" and holiday_state(" hr ") == "HR"
    assert holiday_state("XX") is None and holiday_state(None) is None
    up = holidays_in("UP", 2026)
    assert D(2026, 1, 26) in up  # Republic Day
    assert D(2026, 3, 4) in up  # Holi
    assert D(2026, 11, 11) in up  # Bhai Duj: UP's, not Haryana's
    assert D(2026, 11, 11) not in holidays_in("HR", 2026)
    assert D(2026, 11, 11) not in holidays_in(None, 2026)  # India's national holidays
    assert D(2026, 1, 26) in holidays_in(None, 2026)
    # Diwali 2026 is a Sunday: a day off anyway, never counted twice
    assert D(2026, 11, 8) not in up


def test_holidays_are_computed_once_per_state_and_year():
    holidays_in("UP", 2031)
    before = holidays_in.cache_info().hits
    for _ in range(50):
        holidays_in("UP", 2031)
    assert holidays_in.cache_info().hits == before + 50


def test_sundays_are_skipped():
    saturday = D(2026, 12, 5)
    assert working_days_between(saturday, saturday + dt.timedelta(days=2)) == 1  # Sunday off
    assert working_days_between(D(2026, 11, 30), D(2026, 12, 14), "UP") == 12


def test_a_holiday_inside_the_week_is_not_a_working_day():
    sent = D(2026, 11, 9)  # Monday; Tuesday 10 is a holiday in UP and Haryana, 11 in UP only
    week_later = sent + dt.timedelta(days=7)
    assert working_days_between(sent, week_later, "UP") == 4
    assert working_days_between(sent, week_later, "HR") == 5
    assert working_days_between(sent, week_later, None) == 6


def test_a_file_sent_before_a_holiday_is_overdue_later_in_up_than_in_haryana():
    sent_at = dt.datetime(2026, 11, 9, 6, 0, tzinfo=dt.UTC)  # 11:30 in Kolkata, Monday
    day = D(2026, 11, 19)  # the 8th working day in Haryana, the 7th in UP
    assert not is_overdue(sent_at, None, day, "UP")
    assert is_overdue(sent_at, None, day, "HR")
    assert is_overdue(sent_at, None, day + dt.timedelta(days=1), "UP")
    # one calendar week later nobody is overdue
    assert not is_overdue(sent_at, None, D(2026, 11, 16), "HR")


def test_the_day_a_file_arrived_is_the_office_s_day():
    # 20:00 UTC on Friday 13 November is 01:30 on Saturday 14 November in Kolkata
    late = dt.datetime(2026, 11, 13, 20, 0, tzinfo=dt.UTC)
    haryana = WorkCalendar("HR", "Asia/Kolkata")
    assert not haryana.is_overdue(late, None, D(2026, 11, 23))  # 7 working days from the 14th
    assert WorkCalendar("HR", "UTC").is_overdue(late, None, D(2026, 11, 23))


def test_a_due_date_passed_is_overdue_whatever_the_holidays():
    now = dt.datetime(2026, 11, 9, 6, 0, tzinfo=dt.UTC)
    assert is_overdue(now, D(2026, 11, 10), D(2026, 11, 11), "UP")
