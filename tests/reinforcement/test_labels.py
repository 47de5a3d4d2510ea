"""Labels people read: where an agenda topic comes from, whose month a review link opens, and
one short label for a metric wherever it is named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from reinforcement.checkins import services as checkins
from reinforcement.checkins.models import CheckIn, CheckInStatus
from reinforcement.goals.models import Metric
from reinforcement.goals.services import metric_label
from reinforcement.plans import services as plans
from tests.reinforcement.checkins import factories as make
from tests.reinforcement.goals import factories as goals
from tests.reinforcement.plans.factories import MONDAY, NOW, plan

pytestmark = pytest.mark.usefixtures("ctx")


def _first_check_in_of(coach) -> CheckIn:
    return db.session.scalars(select(CheckIn).where(CheckIn.coach_id == coach.id)
                              .order_by(CheckIn.scheduled_at, CheckIn.id)).first()


def test_template_topics_name_the_plan_and_people_topics_their_author(client, login, org):
    plans.start_plan(plan(org.admin), org.manager_a1, starts_on=MONDAY, local_time="09:00",
                     by=org.manager_a1, now=NOW)
    check_in = _first_check_in_of(org.manager_a1)
    checkins.add_agenda_item(check_in, "Northwind renewal", by=check_in.coachee)
    db.session.commit()
    login(org.manager_a1)
    html = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert html.count("From the agenda template of the plan “Twelve weeks of coaching”") == 3
    assert f"Added by {check_in.coachee.name}" in html
    assert "(removed)" not in html
    client.post("/logout")
    login(check_in.coachee)
    html = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert "Added by you" in html


def test_a_topic_whose_author_is_gone_outside_a_plan_says_so(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, agenda=("Pipeline",))
    check_in.agenda[0].author_id = None
    db.session.commit()
    login(org.manager_a1)
    html = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert "Added by a former colleague" in html and "(removed)" not in html


def test_review_links_under_coaches_say_whose_month(client, login, org):
    first_of_month = utcnow().replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    make.check_in(org.manager_a1, org.rep_a1a, at=first_of_month,
                  status=CheckInStatus.HELD)
    db.session.commit()
    login(org.leader_a)
    html = client.get("/reinforcement/adherence/").get_data(as_text=True)
    link = (f'href="/reinforcement/reviews/managers/{org.manager_a1.id}?month={utcnow():%Y-%m}">'
            f"Review {org.manager_a1.first_name}'s {utcnow():%B %Y}</a>")
    assert link in html
    assert ">review</a>" not in html


@pytest.mark.parametrize(("key", "label"), [
    ("proposals_sent", "Proposals sent"),
    ("close_ratio", "Close ratio · %"),
    ("average_sale_value", "Average sale value · amount"),
    ("proposal_ratio", "Proposal ratio · proposals per meeting, %"),
])
def test_metric_labels_are_short(org, key, label):
    assert metric_label(goals.metric(key)) == label


def test_metric_label_keeps_brackets_inside_a_name():
    odd = Metric(key="odd", name="Win rate (net) of renewals", kind="proficiency", unit="count")
    assert metric_label(odd) == "Win rate (net) of renewals"


def test_goal_form_and_goal_list_use_the_short_label(client, login, org):
    goals.goal(org.rep_a1a, key="proposal_ratio", target=40)
    db.session.commit()
    login(org.manager_a1)
    form = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals/new").get_data(as_text=True)
    assert "Proposal ratio · proposals per meeting, %</option>" in form
    assert '<optgroup label="Proficiency">' in form and "0-100)" not in form
    listing = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals").get_data(as_text=True)
    assert "Proposal ratio · proposals per meeting, %</a>" in listing
    assert "(proposals per meeting)" not in listing
