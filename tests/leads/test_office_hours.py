"""Office hours: when staff are in, and what the bot says about the next callback."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from leads import office_hours
from leads.office_hours import OfficeHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2024-05-03 is a Friday.
FRI = lambda h, m=0: datetime(2024, 5, 3, h, m, tzinfo=SHANGHAI)  # noqa: E731


@pytest.mark.parametrize(
    "now, open_",
    [
        (FRI(8, 59), False),
        (FRI(9, 0), True),
        (FRI(17, 59), True),
        (FRI(18, 0), False),
        (datetime(2024, 5, 4, 10, 0, tzinfo=SHANGHAI), False),  # Saturday
        (datetime(2024, 5, 3, 1, 30, tzinfo=timezone.utc), True),  # 09:30 in Shanghai
        (datetime(2024, 5, 3, 9, 30), True),  # naive = office-local
    ],
)
def test_default_hours_are_weekdays_nine_to_six(now, open_):
    assert OfficeHours().is_open(now) is open_


@pytest.mark.parametrize(
    "now, opening, said",
    [
        (FRI(7, 15), FRI(9), "今天 09:00"),
        (FRI(18, 30), datetime(2024, 5, 6, 9, tzinfo=SHANGHAI), "周一 09:00"),
        (datetime(2024, 5, 2, 20, 0, tzinfo=SHANGHAI), FRI(9), "明天 09:00"),
        (FRI(10), FRI(10), "今天 10:00"),  # open: now
    ],
)
def test_next_opening(now, opening, said):
    hours = OfficeHours()
    assert hours.next_opening(now) == opening
    assert hours.describe_next_opening(now) == said


def test_several_rules_and_day_lists():
    hours = OfficeHours("Mon,Wed 10:00-12:00; Sat-Sun 14:00-24:00", "Asia/Shanghai")
    assert hours.is_open(datetime(2024, 5, 5, 23, 59, tzinfo=SHANGHAI))  # Sunday
    assert not hours.is_open(datetime(2024, 5, 7, 11, 0, tzinfo=SHANGHAI))  # Tuesday
    assert hours.describe_next_opening(datetime(2024, 5, 6, 12, 0, tzinfo=SHANGHAI)) == "周三 10:00"


def test_other_time_zone():
    hours = OfficeHours("Mon-Fri 09:00-17:00", "Europe/Berlin")
    assert hours.is_open(datetime(2024, 5, 3, 7, 30, tzinfo=timezone.utc))  # 09:30 CEST
    assert (
        hours.next_opening(datetime(2024, 5, 3, 16, 0, tzinfo=timezone.utc)).isoformat() == "2024-05-06T09:00:00+02:00"
    )


@pytest.mark.parametrize(
    "spec, tz",
    [
        ("Mon-Fri", "Asia/Shanghai"),
        ("Mon-Fri 18:00-09:00", "Asia/Shanghai"),
        ("Xyz 09:00-10:00", "Asia/Shanghai"),
        ("Mon 09:00-25:00", "Asia/Shanghai"),
        ("", "Asia/Shanghai"),
        ("Mon-Fri 09:00-18:00", "Mars/Base"),
    ],
)
def test_unreadable_configuration_is_refused(spec, tz):
    with pytest.raises(ValueError):
        OfficeHours(spec, tz)


def test_environment_configuration_with_safe_fallback(monkeypatch, caplog):
    monkeypatch.setenv("OFFICE_HOURS", "Sat 10:00-16:00")
    monkeypatch.setenv("OFFICE_TZ", "Asia/Shanghai")
    assert office_hours.is_open(datetime(2024, 5, 4, 11, 0, tzinfo=SHANGHAI))
    assert office_hours.describe_next_opening(FRI(12)) == "明天 10:00"
    monkeypatch.setenv("OFFICE_HOURS", "weekdays 9-6")
    assert office_hours.next_opening(FRI(20)) == datetime(2024, 5, 6, 9, tzinfo=SHANGHAI)
    assert "OFFICE_HOURS/OFFICE_TZ ignored" in caplog.text
