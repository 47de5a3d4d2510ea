"""Weekly actuals: entering one value, the weekly grid page, and the CRM import — whole-file
checks with line numbers, nothing written on any problem, idempotent re-imports."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from reinforcement.checkins.models import CheckInStatus
from reinforcement.goals.actuals import ImportRejected, enter_actual, import_actuals
from reinforcement.goals.models import ActualSource, MetricActual
from tests.reinforcement.checkins import factories as checkins
from tests.reinforcement.goals import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

MONDAY = date(2026, 3, 2)
TODAY = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)
HEADER = "email,metric,period_start,value\n"


def count(model=MetricActual) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


def values() -> dict[tuple, float]:
    return {(a.person_id, a.metric.key, a.period_start): a.value
            for a in db.session.scalars(select(MetricActual))}


def enter(org, value=4.0, *, key="proposals_sent", week=MONDAY, person=None, by=None,
          check_in=None):
    return enter_actual(person or org.rep_a1a, make.metric(key), week, value,
                        by=by or org.manager_a1, check_in=check_in, now=NOW, today=TODAY)


# --- one value at a time -------------------------------------------------------------------------

def test_entering_a_value_creates_it_and_the_same_value_again_changes_nothing(org):
    actual, changed = enter(org, 4)
    assert changed and actual.value == 4 and actual.source == ActualSource.CHECK_IN
    assert actual.entered_by_id == org.manager_a1.id
    again, changed_again = enter(org, 4)
    assert again.id == actual.id and not changed_again
    assert audit_count("metric_actual.enter") == 1


def test_a_new_value_replaces_the_week_and_is_audited(org):
    enter(org, 4)
    actual, changed = enter(org, 6, by=org.rep_a1a)
    assert changed and actual.value == 6 and count() == 1
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "metric_actual.enter").order_by(AuditEntry.id)).all()
    assert [e.changes["value"] for e in entries] == [[None, 4.0], [4.0, 6.0]]


def test_a_value_entered_at_a_check_in_remembers_it(org):
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a, days=-1)
    actual, _ = enter(org, 3, check_in=check_in)
    assert actual.check_in_id == check_in.id


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"value": -1}, "value", "cannot be negative"),
    ({"value": 2.5}, "value", "whole number"),
    ({"key": "close_ratio", "value": 120}, "value", "between 0 and 100"),
    ({"key": "average_sale_value", "value": -10}, "value", "cannot be negative"),
    ({"value": "4"}, "value", "must be a number"),
    ({"week": MONDAY + timedelta(days=2)}, "period_start", "is a Wednesday"),
    ({"week": date(2026, 3, 23)}, "period_start", "not started yet"),
])
def test_bad_values_are_refused_and_nothing_is_written(org, fields, field, message):
    with pytest.raises(ValidationError, match=message) as refused:
        enter(org, **fields)
    assert refused.value.field == field and count() == 0


def test_an_archived_metric_takes_no_new_value(org):
    make.metric("meetings").is_archived = True
    with pytest.raises(ValidationError, match="archived"):
        enter(org, key="meetings")


@pytest.mark.parametrize("who", ["manager_a2", "rep_a1b", "admin"])
def test_only_the_person_and_the_people_above_them_enter_actuals(org, who):
    with pytest.raises(NotAllowedError):
        enter(org, by=getattr(org, who))
    assert count() == 0


def test_the_person_and_a_leader_above_enter_their_actuals(org):
    enter(org, 1, by=org.rep_a1a)
    enter(org, 2, by=org.leader_a, key="meetings")
    assert count() == 2


@pytest.mark.parametrize("case", ["other pair", "cancelled", "not a participant"])
def test_a_check_in_must_be_the_persons_and_still_stand(org, case):
    if case == "other pair":
        check_in = checkins.check_in(org.manager_a1, org.rep_a1b, days=-1)
    elif case == "cancelled":
        check_in = checkins.check_in(org.manager_a1, org.rep_a1a, days=-1,
                                     status=CheckInStatus.CANCELLED)
    else:
        check_in = checkins.check_in(org.manager_a1, org.rep_a1a, days=-1)
    by = org.leader_a if case == "not a participant" else org.manager_a1
    with pytest.raises(ValidationError) as refused:
        enter(org, check_in=check_in, by=by)
    assert refused.value.field == "check_in" and count() == 0


# --- the CRM import ------------------------------------------------------------------------------

def crm(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).encode()


def run(data: bytes, by):
    return import_actuals(data, by=by, now=NOW, today=TODAY)


def test_an_import_creates_the_weeks_and_a_second_run_changes_nothing(org):
    data = crm(f"{org.rep_a1a.email},proposals_sent,2026-03-02,4",
               f"{org.rep_a1a.email},close_ratio,2026-03-02,22.5",
               f"{org.rep_a1b.email},meetings,2026-03-09,6")
    result = run(data, org.manager_a1)
    assert (result.created, result.updated, result.unchanged, len(result.people)) == (3, 0, 0, 2)
    assert values() == {(org.rep_a1a.id, "proposals_sent", MONDAY): 4,
                        (org.rep_a1a.id, "close_ratio", MONDAY): 22.5,
                        (org.rep_a1b.id, "meetings", date(2026, 3, 9)): 6}
    assert {a.source for a in db.session.scalars(select(MetricActual))} == {ActualSource.IMPORT}
    audited = audit_count("metric_actual.import")
    assert audited == 3
    again = run(data, org.manager_a1)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert count() == 3 and audit_count("metric_actual.import") == audited


def test_a_changed_value_in_a_later_file_updates_the_week(org):
    enter(org, 4)
    result = run(crm(f"{org.rep_a1a.email},proposals_sent,2026-03-02,7",
                     f"{org.rep_a1a.email},meetings,2026-03-02,2"), org.manager_a1)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert values()[(org.rep_a1a.id, "proposals_sent", MONDAY)] == 7
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "metric_actual.import", AuditEntry.summary.contains("line 2")))
    assert entry.changes == {"value": [4.0, 7.0]}


def test_columns_in_any_order_extra_columns_commas_and_percent_signs(org):
    data = crm(f"Acme,2026-03-02,{org.rep_a1a.email.upper()},\"12,5%\",CLOSE_RATIO",
               header="account,period_start,email,value,metric\n")
    run(data, org.manager_a1)
    assert values() == {(org.rep_a1a.id, "close_ratio", MONDAY): 12.5}


def test_every_problem_is_listed_with_its_line_and_nothing_is_written(org):
    make.metric("meetings").is_archived = True
    data = crm(
        f"{org.rep_a1a.email},proposals_sent,2026-03-02,4",  # line 2: fine
        "nobody@example.test,proposals_sent,2026-03-02,4",  # 3
        f"{org.rep_a1a.email},deals_won,2026-03-02,4",  # 4
        f"{org.rep_a1a.email},proposals_sent,2026-03-04,4",  # 5: a Wednesday
        f"{org.rep_a1a.email},proposals_sent,02/03/2026,4",  # 6
        f"{org.rep_a1a.email},new_contacts,2026-03-02,-2",  # 7
        f"{org.rep_a1a.email},new_contacts,2026-03-09,two",  # 8
        f"{org.rep_a1a.email},close_ratio,2026-03-02,140",  # 9
        f"{org.rep_b1a.email},proposals_sent,2026-03-02,4",  # 10: another branch
        f"{org.rep_a1a.email},proposals_sent,2026-03-02,5",  # 11: line 2 again
        f"{org.rep_a1a.email},meetings,2026-03-02,5",  # 12: archived
        f"{org.rep_a1a.email},new_contacts,2026-03-23,5",  # 13: not started
        f"{org.rep_a1a.email},new_contacts,2026-03-16,1.5",  # 14
    )
    with pytest.raises(ImportRejected) as rejected:
        run(data, org.manager_a1)
    found = {p.line: p.message for p in rejected.value.problems}
    assert sorted(found) == list(range(3, 15))
    assert "unknown person nobody@example.test" in found[3]
    assert "unknown metric 'deals_won'" in found[4] and "proposals_sent" in found[4]
    assert "is a Wednesday" in found[5] and "2026-03-02" in found[5]
    assert "'02/03/2026' is not a date: use YYYY-MM-DD" in found[6]
    assert "cannot be negative" in found[7]
    assert "'two' is not a number" in found[8]
    assert "between 0 and 100" in found[9]
    assert "no one in your part of the organisation" in found[10]
    assert "already on line 2" in found[11]
    assert "archived" in found[12]
    assert "has not started yet" in found[13]
    assert "whole number" in found[14]
    assert count() == 0 and audit_count("metric_actual.import") == 0


def test_an_admin_imports_for_everyone(org):
    run(crm(f"{org.rep_b1a.email},meetings,2026-03-02,3"), org.admin)
    assert values() == {(org.rep_b1a.id, "meetings", MONDAY): 3}


def test_someone_outside_the_subtree_reads_as_unknown_to_a_manager(org):
    with pytest.raises(ImportRejected) as rejected:
        run(crm(f"{org.manager_a1.email},meetings,2026-03-02,3"), org.manager_a2)
    (problem,) = rejected.value.problems
    assert problem.line == 2 and "no one in your part of the organisation" in problem.message


@pytest.mark.parametrize(("data", "message"), [
    (b"email,metric,value\nx@example.test,meetings,3\n", "missing column(s): period_start"),
    (HEADER.encode(), "no rows"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_a_file_of_the_wrong_shape_is_refused_on_line_1(org, data, message):
    with pytest.raises(ImportRejected) as rejected:
        run(data, org.manager_a1)
    (problem,) = rejected.value.problems
    assert problem.line == 1 and message in problem.message


def test_reps_may_not_import(org):
    with pytest.raises(NotAllowedError):
        run(crm(f"{org.rep_a1a.email},meetings,2026-03-02,3"), org.rep_a1a)


# --- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def switch(client, login):
    def to(person):
        client.post("/logout")
        login(person)
    return to


def upload(client, text: str):
    return client.post("/reinforcement/actuals/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode()), "crm.csv")})


def test_import_page_lists_problems_by_line_and_writes_nothing(client, switch, org):
    switch(org.manager_a1)
    monday = make.this_monday().isoformat()
    response = upload(client, HEADER + f"{org.rep_a1a.email},meetings,{monday},3\n"
                                       f"{org.rep_a1a.email},meetings,{monday},x\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was imported: 1 problem" in html
    assert "Line 3: value &#39;x&#39; is not a number" in html
    assert count() == 0


def test_import_page_imports_and_says_how_many(client, switch, org):
    switch(org.manager_a1)
    monday = make.this_monday().isoformat()
    response = upload(client, HEADER + f"{org.rep_a1a.email},meetings,{monday},3\n")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Import done: 1 created, 0 updated, 0 unchanged, for 1 people." in page
    assert count() == 1


def grid_key(key: str, monday: date) -> str:
    return f"v_{make.metric(key).id}_{monday.isoformat()}"


def test_the_grid_shows_four_weeks_and_saves_what_was_typed(client, switch, org):
    monday = make.this_monday()
    last = monday - timedelta(weeks=1)
    make.actual(org.rep_a1a, last, 5, key="meetings")
    switch(org.manager_a1)
    url = f"/reinforcement/people/{org.rep_a1a.id}/actuals"
    html = client.get(url).get_data(as_text=True)
    assert f'name="{grid_key("meetings", last)}"' in html and 'value="5"' in html
    assert f'name="{grid_key("meetings", monday - timedelta(weeks=3))}"' in html
    assert grid_key("meetings", monday + timedelta(weeks=1)) not in html
    response = client.post(url, data={grid_key("meetings", last): "6",
                                      grid_key("close_ratio", monday): "31,5",
                                      grid_key("new_contacts", monday): ""})
    assert response.status_code == 302
    assert values() == {(org.rep_a1a.id, "meetings", last): 6,
                        (org.rep_a1a.id, "close_ratio", monday): 31.5}


def test_one_bad_box_saves_nothing_and_marks_the_box(client, switch, org):
    monday = make.this_monday()
    switch(org.rep_a1a)
    response = client.post(f"/reinforcement/people/{org.rep_a1a.id}/actuals", data={
        grid_key("meetings", monday): "4", grid_key("close_ratio", monday): "140",
        grid_key("new_contacts", monday): "many"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved" in html
    assert "between 0 and 100" in html and "Enter a number" in html
    assert html.count('aria-invalid="true"') == 2
    assert count() == 0


def test_the_grid_records_the_check_in_it_was_opened_from(client, switch, org):
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a, days=-1)
    switch(org.manager_a1)
    url = f"/reinforcement/people/{org.rep_a1a.id}/actuals?check_in={check_in.id}"
    assert "Values are recorded at the check-in" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={grid_key("meetings", make.this_monday()): "2"})
    assert response.status_code == 302
    assert db.session.scalar(select(MetricActual.check_in_id)) == check_in.id
    other = checkins.check_in(org.manager_a1, org.rep_a1b, days=-1)
    refused = client.post(f"/reinforcement/people/{org.rep_a1a.id}/actuals?check_in={other.id}",
                          data={grid_key("meetings", make.this_monday()): "3"})
    assert refused.status_code == 422 and "check-in of theirs" in refused.get_data(as_text=True)


def test_the_grid_never_offers_a_week_that_has_not_started(client, switch, org):
    switch(org.rep_a1a)
    later = make.this_monday() + timedelta(weeks=5)
    html = client.get(f"/reinforcement/people/{org.rep_a1a.id}/actuals?week={later}"
                      ).get_data(as_text=True)
    assert grid_key("meetings", make.this_monday()) in html
    assert grid_key("meetings", later) not in html and "Later weeks" not in html
