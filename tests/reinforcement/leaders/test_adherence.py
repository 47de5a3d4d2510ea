"""Rhythm adherence: figures on hand-built data, roll-ups, flags, the trend, query counts,
the report page and its CSV, the thresholds' configuration."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.config import ConfigError, load_config
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from reinforcement.checkins.models import CheckInStatus
from reinforcement.leaders.adherence import (
    NO_CHECK_INS,
    NOT_COACHING,
    Period,
    median,
    parse_period,
    rollup,
)
from reinforcement.leaders.adherence.report import HEADERS, csv_rows, trend_charts
from tests import csv_files, factories
from tests.reinforcement.leaders import factories as make
from tests.reinforcement.leaders.factories import MARCH, NOW, at

PERIOD = Period("month", MARCH)


# --- pure parts ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("histogram", "expected"), [
    ({}, None), ({4: 1}, 4), ({1: 1, 3: 1, 5: 2}, 4), ({2: 3}, 2), ({1: 2, 9: 1}, 1),
    ({1: 1, 2: 1}, 1.5)])
def test_median_of_a_histogram(histogram, expected):
    assert median(Counter(histogram)) == expected


def test_periods_are_calendar_months_quarters_and_years():
    assert Period.containing("month", date(2030, 3, 20)) == Period("month", MARCH)
    quarter = Period.containing("quarter", date(2030, 5, 9))
    assert (quarter.start, quarter.end, quarter.label) == (date(2030, 4, 1), date(2030, 7, 1),
                                                           "Q2 2030")
    year = Period.containing("year", date(2030, 5, 9))
    assert (year.start, year.last_day) == (date(2030, 1, 1), date(2030, 12, 31))
    assert Period("month", date(2030, 12, 1)).shifted(1).start == date(2031, 1, 1)
    assert PERIOD.shifted(-3).start == date(2029, 12, 1)


def test_trend_steps_are_weeks_clipped_to_the_period_or_months_of_a_year():
    steps = PERIOD.buckets()  # 1 March 2030 is a Friday
    assert steps[0] == (date(2030, 3, 1), date(2030, 3, 4))
    assert steps[1] == (date(2030, 3, 4), date(2030, 3, 11))
    assert steps[-1] == (date(2030, 3, 25), date(2030, 4, 1))
    assert len(Period("year", date(2030, 1, 1)).buckets()) == 12


@pytest.mark.parametrize(("kind", "start", "expected"), [
    (None, None, Period("month", date(2030, 3, 1))),
    ("quarter", "2030-02", Period("quarter", date(2030, 1, 1))),
    ("year", "2029-07", Period("year", date(2029, 1, 1))),
    ("decade", "nonsense", Period("month", date(2030, 3, 1)))])
def test_parse_period_defaults_to_this_month(kind, start, expected):
    assert parse_period(kind, start, date(2030, 3, 20)) == expected


# --- figures on hand-built data ------------------------------------------------------------------

def _a1_data(org) -> None:
    """manager_a1's March: every case the definitions draw a line through."""
    a1, rita, ron = org.manager_a1, org.rep_a1a, org.rep_a1b
    # Check-ins: due 1, 2, 3, 7 and 10; on time 1 and 10; agenda ahead 1 and 10.
    make.check_in(a1, rita, at(2), held_at=at(2, 9, 30), prepared_at=at(1, 17))  # 1
    make.check_in(a1, ron, at(5), held_at=at(6, 10), prepared_at=at(5, 9, 30))  # 2: late
    make.check_in(a1, rita, at(9), status=CheckInStatus.MISSED)  # 3
    make.check_in(a1, ron, at(12), status=CheckInStatus.CANCELLED)  # 4: not counted
    make.check_in(a1, rita, at(13), status=CheckInStatus.RESCHEDULED)  # 5: not counted
    make.check_in(a1, ron, at(19, 20))  # 6: inside its 24-hour window still
    make.check_in(a1, rita, at(18))  # 7: window closed, not held
    make.check_in(a1, ron, at(25))  # 8: future
    make.check_in(a1, rita, at(27, month=2), held_at=at(27, month=2))  # 9: February
    make.check_in(a1, ron, at(15), held_at=at(14, 10), prepared_at=at(14, 8))  # 10: early
    # Action items: counted a, b, c, e, h; done a, b, e; late b (3), c (10), h (5).
    make.action(a1, rita, date(2030, 3, 3), done_at=at(3, 12))  # a
    make.action(a1, ron, date(2030, 3, 4), done_at=at(7))  # b: 3 days late
    make.action(a1, rita, date(2030, 3, 10))  # c: open, 10 days overdue
    make.action(a1, ron, date(2030, 3, 20))  # d: due today, not counted yet
    make.action(a1, rita, date(2030, 3, 25), done_at=at(19))  # e: done early
    make.action(a1, ron, date(2030, 4, 2))  # f: April
    make.action(a1, rita, date(2030, 3, 15), owner=a1)  # h: the coach's own, 5 days
    # Gap reviews: two in March, one evaluated; one in February.
    make.gap_review(a1, rita, at(5), evaluated_at=at(12))
    make.gap_review(a1, ron, at(10))
    make.gap_review(a1, rita, at(20, month=2), evaluated_at=at(1))


def _steady(coach, coachee) -> None:
    """Two check-ins held on time with agendas ahead; one action item done on time."""
    for day in (4, 11):
        make.check_in(coach, coachee, at(day), held_at=at(day, 9, 5), prepared_at=at(day - 1))
    make.action(coach, coachee, date(2030, 3, 12), done_at=at(11, 15))


def test_figures_of_one_coach_follow_the_definitions(org):
    _a1_data(org)
    row = rollup(org.leader_a, PERIOD, now=NOW).coach(org.manager_a1.id)
    f = row.figures
    assert (f.check_ins, f.held, f.held_on_time, f.agenda_ahead) == (5, 3, 2, 2)
    assert (f.held_share, f.agenda_share) == (40, 40)
    assert (f.actions, f.actions_done, f.actions_share) == (5, 3, 60)
    assert f.overdue_days == Counter({3: 1, 10: 1, 5: 1})
    assert (f.late_actions, f.median_overdue) == (3, 5)
    assert (f.gap_reviews, f.gap_evaluated, f.gap_share) == (2, 1, 50)
    assert row.flags == ["Check-ins not held on time", "Agendas not prepared ahead",
                         "Action items left open"]


def test_council_actions_and_other_branches_do_not_count(org):
    _a1_data(org)
    _steady(org.manager_b1, org.rep_b1a)
    council = make.council(org.leader_a, [org.leader_b])
    make.council_action(make.meeting(council, at(3)), org.leader_a, date(2030, 3, 5))
    report = rollup(org.leader_a, PERIOD, now=NOW)
    assert {row.key for row in report.coaches} == {org.leader_a.id, org.manager_a1.id,
                                                   org.manager_a2.id}
    assert report.coach(org.leader_a.id).figures.actions == 0


def test_leader_and_level_rollups_add_counts_and_merge_medians(org):
    _a1_data(org)
    _steady(org.manager_a2, org.rep_a2a)
    make.check_in(org.leader_a, org.manager_a1, at(10), held_at=at(10), prepared_at=at(9))
    report = rollup(org.leader_a, PERIOD, now=NOW)
    [leader] = report.leaders
    assert (leader.key, leader.coaches) == (org.leader_a.id, 2)
    f = leader.figures
    assert (f.check_ins, f.held_on_time, f.held_share) == (7, 4, 57)
    assert (f.actions, f.actions_done, f.median_overdue) == (6, 4, 5)
    levels = {row.key: row for row in report.levels}
    assert levels[Level.MANAGER].coaches == 2 and levels[Level.MANAGER].figures.check_ins == 7
    assert levels[Level.LEADER].figures.held_share == 100
    assert report.total.figures.check_ins == 8
    assert report.coach(org.manager_a2.id).flags == []


def test_trend_steps_add_up_to_the_period(org):
    _a1_data(org)
    _steady(org.manager_a2, org.rep_a2a)
    report = rollup(org.leader_a, PERIOD, now=NOW)
    assert sum(step.figures.check_ins for step in report.trend) == report.total.figures.check_ins
    assert sum(step.figures.actions for step in report.trend) == report.total.figures.actions
    week = {step.start: step.figures for step in report.trend}[date(2030, 3, 4)]
    # Week of 4 March: a1's late check-in of the 5th and missed one of the 9th, a2's of the
    # 4th (on time); a1's items b (done 3 days late) and c (open, 10 days).
    assert (week.check_ins, week.held_on_time, week.overdue_days) == (3, 1,
                                                                      Counter({3: 1, 10: 1}))
    held, agenda, actions = trend_charts(report)
    assert "from" in held.summary and held.threshold == 80
    assert len(held.chart.points) == 4  # four weeks with something due; the fifth is ahead


def test_a_coach_with_nothing_due_is_flagged_and_a_deactivated_one_without_data_left_out(org):
    org.manager_a2.is_active = False
    report = rollup(org.leader_a, PERIOD, now=NOW)
    assert report.coach(org.manager_a1.id).flags == [NOT_COACHING]  # has reports, held none
    assert report.coach(org.manager_a2.id) is None


def test_thresholds_come_from_the_configuration(app, org):
    _steady(org.manager_a2, org.rep_a2a)
    make.check_in(org.manager_a2, org.rep_a2a, at(15), status=CheckInStatus.MISSED,
                  prepared_at=at(14))
    old = app.config["ADHERENCE_HELD_MIN"]
    try:
        app.config["ADHERENCE_HELD_MIN"] = 60
        assert rollup(org.manager_a2, PERIOD, now=NOW).coach(org.manager_a2.id).flags == []
        app.config["ADHERENCE_HELD_MIN"] = 70  # 2 of 3 is 66.7 %: below 70
        assert rollup(org.manager_a2, PERIOD, now=NOW).coach(org.manager_a2.id).flags == [
            "Check-ins not held on time"]
    finally:
        app.config["ADHERENCE_HELD_MIN"] = old


@pytest.mark.parametrize("value", ["-1", "101", "eighty"])
def test_a_threshold_outside_0_to_100_stops_the_start(tmp_path, monkeypatch, value):
    from flask import Flask

    monkeypatch.setenv("CADENCE_ADHERENCE_AGENDA_MIN", value)
    app = Flask("cadence-config-test", instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="ADHERENCE_AGENDA_MIN"):
        load_config(app, {"SECRET_KEY": "x"})


def test_thresholds_default_to_80_70_70(tmp_path):
    from flask import Flask

    app = Flask("cadence-config-test", instance_path=str(tmp_path))
    load_config(app, {"SECRET_KEY": "x"})
    assert (app.config["ADHERENCE_HELD_MIN"], app.config["ADHERENCE_AGENDA_MIN"],
            app.config["ADHERENCE_ACTIONS_MIN"]) == (80, 70, 70)


# --- a constant number of queries ----------------------------------------------------------------

def _team(leader, managers: int, reps: int, weeks: int) -> None:
    for m in range(managers):
        manager = factories.person(level=Level.MANAGER, manager=leader, name=f"Mgr {m}")
        for r in range(reps):
            rep = factories.person(manager=manager, name=f"Rep {m}.{r}")
            for week in range(weeks):
                when = at(2 + 7 * week)
                make.check_in(manager, rep, when, held_at=when + timedelta(hours=r),
                              prepared_at=when - timedelta(days=1) if week % 2 else None)
                make.action(manager, rep, (when + timedelta(days=2 + week)).date(),
                            done_at=when + timedelta(days=3) if r % 2 else None)
            make.gap_review(manager, rep, when, evaluated_at=when if r % 2 else None)


def test_rollup_query_count_does_not_grow_with_people_or_rows(org, count_queries):
    _team(org.leader_a, 1, 1, 1)
    with count_queries() as few:
        small = rollup(org.leader_a, PERIOD, now=NOW)
    _team(org.leader_b, 6, 4, 3)
    with count_queries() as many:
        big = rollup(org.exec, PERIOD, now=NOW)
    assert few.count == many.count == 4
    assert len(big.coaches) > len(small.coaches) + 6
    assert big.total.figures.check_ins == 1 + 6 * 4 * 3


# --- the report page and its CSV -------------------------------------------------------------

def test_report_page_shows_the_subtree_and_hides_other_branches(client, login, org):
    today = date.today()
    when = datetime.combine(today.replace(day=1), datetime.min.time()).astimezone()
    make.check_in(org.manager_a1, org.rep_a1a, when, held_at=when)
    login(org.leader_a)
    html = client.get("/reinforcement/adherence/").get_data(as_text=True)
    assert org.manager_a1.name in html and org.manager_a2.name in html
    assert org.manager_b1.name not in html
    assert html.count('role="img"') == 3
    assert "By leader (their managers)" in html


def test_report_for_someone_out_of_sight_is_404_and_for_reps_403(client, login, org):
    login(org.leader_a)
    assert client.get(f"/reinforcement/adherence/?person={org.leader_b.id}").status_code == 404
    assert client.get(f"/reinforcement/adherence/?person={org.manager_a1.id}").status_code == 200
    client.post("/logout")
    login(org.rep_a1a)
    assert client.get("/reinforcement/adherence/").status_code == 403


@pytest.mark.parametrize("table", ["coaches", "leaders", "levels", "trend"])
def test_report_csv_has_the_header_and_a_row_per_line(client, login, org, table):
    login(org.leader_a)
    response = client.get(f"/reinforcement/adherence/?format=csv&table={table}")
    assert response.mimetype == "text/csv"
    lines = csv_files.text(response.data).strip().splitlines()
    assert lines[0] == ",".join(HEADERS[table])
    expected = {"coaches": 3, "leaders": 1, "levels": 2, "trend": None}[table]
    if expected is not None:
        assert len(lines) == 1 + expected


def test_csv_rows_carry_the_figures(org):
    _a1_data(org)
    report = rollup(org.leader_a, PERIOD, now=NOW)
    row = next(r for r in csv_rows(report, "coaches") if r[0] == org.manager_a1.name)
    named = dict(zip(HEADERS["coaches"], row, strict=True))
    assert named["held_on_time_pct"] == 40 and named["median_days_overdue"] == 5
    assert named["needs_help"].startswith("Check-ins not held on time")


def test_csv_leads_with_coverage_so_a_silent_manager_reads_as_not_coaching(org):
    _a1_data(org)
    report = rollup(org.leader_a, PERIOD, now=NOW)
    coaches = {row[0]: dict(zip(HEADERS["coaches"], row, strict=True))
               for row in csv_rows(report, "coaches")}
    assert coaches[org.manager_a1.name]["coaching"] == "yes"
    assert coaches[org.manager_a1.name]["direct_reports"] == 2
    assert coaches[org.manager_a2.name]["coaching"] == "no"  # reports, no check-in held
    managers = next(dict(zip(HEADERS["levels"], row, strict=True))
                    for row in csv_rows(report, "levels") if row[0] == "Manager")
    assert (managers["coaches_expected"], managers["coaches_coaching"]) == (2, 1)
    leader = dict(zip(HEADERS["leaders"], csv_rows(report, "leaders")[0], strict=True))
    assert (leader["managers"], leader["coaches_expected"], leader["coaches_coaching"]) == (2, 2, 1)


def test_report_page_query_count_is_constant(client, login, org, count_queries):
    login(org.exec)
    client.get("/reinforcement/adherence/")
    with count_queries() as few:
        assert client.get("/reinforcement/adherence/?period=year").status_code == 200
    _team(org.leader_b, 5, 3, 2)
    with count_queries() as many:
        assert client.get("/reinforcement/adherence/?period=year").status_code == 200
    assert few.count == many.count


def test_a_year_trends_by_month_and_a_quarter_by_week(org):
    make.check_in(org.manager_a1, org.rep_a1a, at(31, 23, 30, month=1), held_at=at(1, month=2))
    make.check_in(org.manager_a1, org.rep_a1a, at(2), held_at=at(2))
    make.action(org.manager_a1, org.rep_a1a, date(2030, 2, 28), done_at=at(2, month=3))
    year = rollup(org.leader_a, Period("year", date(2030, 1, 1)), now=NOW)
    by_month = [(step.start.month, step.figures.check_ins, step.figures.actions)
                for step in year.trend if step.figures.check_ins or step.figures.actions]
    assert by_month == [(1, 1, 0), (2, 0, 1), (3, 1, 0)]
    assert year.trend[1].figures.overdue_days == Counter({2: 1})
    quarter = rollup(org.leader_a, Period("quarter", date(2030, 1, 1)), now=NOW)
    weeks = {step.start: step.figures.check_ins for step in quarter.trend
             if step.figures.check_ins}
    # 31 January 2030 is a Thursday (week from 28 January); 2 March a Saturday (from 25 Feb).
    assert weeks == {date(2030, 1, 28): 1, date(2030, 2, 25): 1}
    assert quarter.trend[0].start == date(2030, 1, 1) and quarter.trend[1].start == date(
        2030, 1, 7)


# --- coverage: absence of coaching never reads as health ----------------------------------------

def _twelve_managers(*, held: int, when) -> User:
    """A leader with twelve managers who each have a rep; the first ``held`` held a check-in
    on time at ``when``, the others none."""
    leader = factories.person(level=Level.LEADER, name="Lena Lead")
    for m in range(12):
        manager = factories.person(level=Level.MANAGER, manager=leader, name=f"Mgr {m:02}")
        rep = factories.person(manager=manager)
        if m < held:
            make.check_in(manager, rep, when, held_at=when, prepared_at=when - timedelta(days=1))
    return leader


def test_managers_with_reports_and_no_check_in_count_against_the_rollup(org):
    leader = _twelve_managers(held=2, when=at(4))
    report = rollup(leader, PERIOD, now=NOW)
    [managers] = [row for row in report.levels if row.key == Level.MANAGER]
    assert (managers.coaches, managers.expected, managers.coaching) == (12, 12, 2)
    assert managers.coverage == "2 of 12 coaching"
    assert managers.flags[0] == "10 of 12 not coaching"  # never "On rhythm" (no flags)
    [mine] = report.leaders
    assert (mine.expected, mine.coaching, mine.flags[0]) == (12, 2, "10 of 12 not coaching")
    idle = [row for row in report.coaches if row.person.level == Level.MANAGER
            and not row.figures.held]
    assert len(idle) == 10 and all(row.flags == [NOT_COACHING] for row in idle)
    assert report.total.coaching < report.total.expected


def test_a_coach_without_reports_and_nothing_due_is_not_counted_as_expected(org):
    loner = factories.person(level=Level.MANAGER, manager=org.leader_b)
    report = rollup(org.leader_b, PERIOD, now=NOW)
    row = report.coach(loner.id)
    assert (row.expected, row.coaching, row.flags) == (0, 0, [NO_CHECK_INS])


def _twelve_managers_two_coaching_last_month():
    """A leader of twelve managers, two of whom held a check-in last month (committed)."""
    last_month = Period("month", utcnow().date().replace(day=1)).shifted(-1)
    when = datetime.combine(last_month.start + timedelta(days=3), datetime.min.time(),
                            tzinfo=UTC).replace(hour=9)
    leader = _twelve_managers(held=2, when=when)
    db.session.commit()
    return leader, last_month


def test_adherence_page_leads_with_coverage(client, login, org):
    leader, last_month = _twelve_managers_two_coaching_last_month()
    login(leader)
    html = client.get(f"/reinforcement/adherence/?period=month&start={last_month.key}"
                      ).get_data(as_text=True)
    assert "2 of 12 managers coaching" in html
    assert "10 of 12 not coaching" in html
    assert "2 of 12 managers coaching" in html.split('id="coverage"')[1][:200]
    levels = html.split("By level")[1].split("By leader")[0]
    assert "On rhythm" not in levels


def test_review_board_leads_with_coverage(client, login, org):
    leader, last_month = _twelve_managers_two_coaching_last_month()
    login(leader)
    html = client.get("/reinforcement/reviews/").get_data(as_text=True)
    assert f"2 of 12 managers coaching in {last_month.label}" in html
    assert html.count("Not coaching: no check-in held") == 10
