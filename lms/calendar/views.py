"""The calendar page, the private feed and single-event downloads."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms.calendar import bp, feeds, services
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import absolute_url
from lms.web.forms import PostForm

ICS = "text/calendar; charset=utf-8"


def _page(secret: str | None = None):
    now = utcnow()
    events = [event for event in feeds.events_for(current_user, now) if not event.cancelled]
    return render_template(
        "lms/calendar/index.html", token=services.active_token(current_user), events=events,
        feed_url=absolute_url(url_for("calendar.feed", token=secret)) if secret else None,
        confirm=PostForm())


@bp.get("/calendar")
@login_required
def index():
    return _page()


@bp.post("/calendar/feed")
@login_required
def create():
    if not PostForm().validate_on_submit():
        return redirect(url_for("calendar.index"))
    _token, secret = services.create_feed(current_user)
    db.session.commit()
    return _page(secret)


@bp.post("/calendar/feed/revoke")
@login_required
def revoke():
    if PostForm().validate_on_submit() and services.revoke_feed(current_user):
        db.session.commit()
        flash("Calendar feed revoked: the old address no longer works.", "success")
    return redirect(url_for("calendar.index"))


def _ics(body: str, filename: str) -> Response:
    response = Response(body, content_type=ICS)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    person = services.feed_owner(token)
    if person is None:
        abort(404)
    now = utcnow()
    body = feeds.render(feeds.events_for(person, now), zone=feeds.zone_of(person),
                        name=f"Cadence: {person.name}", stamp=now)
    db.session.commit()  # the token's last use
    return _ics(body, "cadence.ics")


@bp.get("/calendar/events/<uid>.ics")
@login_required
def event(uid: str):
    now = utcnow()
    found = [item for item in feeds.events_for(current_user, now) if item.uid == uid]
    if not found:
        abort(404)
    body = feeds.render(found, zone=feeds.zone_of(current_user), name=found[0].summary,
                        stamp=now)
    return _ics(body, "event.ics")
