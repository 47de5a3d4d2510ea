"""The notification centre: list, open, mark read; and each person's preferences."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.redirects import safe_next
from lms.authz import permission_required
from lms.extensions import csrf, db
from lms.notify import bp, services
from lms.notify import preferences as prefs
from lms.notify import unsubscribe as list_unsubscribe
from lms.notify.forms import field_name, preferences_form
from lms.notify.models import Channel, Notification
from lms.web.args import page_arg
from lms.web.forms import PostForm

PER_PAGE = 30


@bp.get("/")
@login_required
def index():
    stmt = (select(Notification).where(Notification.recipient_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if request.args.get("show") == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("lms/notify/index.html", page=page, confirm=PostForm(),
                           show=request.args.get("show", "all"))


@bp.post("/<int:id>/open")
@permission_required("notification.read", load=Notification)
def open(notification: Notification):  # noqa: A001  (the verb the user clicks)
    services.mark_read(notification, by=current_user)
    db.session.commit()
    return redirect(safe_next(notification.link, url_for("notify.index")))


@bp.post("/read-all")
@login_required
def read_all():
    if PostForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("notify.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    settings = prefs.settings_of(current_user)
    team = prefs.has_reports(current_user)
    chosen = prefs.choices_of(current_user)
    form = preferences_form(team=team, digest_hour=settings.digest_hour,
                            weekly_team_digest=settings.weekly_team_digest,
                            **{field_name(key): channel.value for key, channel in chosen.items()})
    if form.validate_on_submit():
        prefs.save_preferences(
            current_user, {key: Channel(form[field_name(key)].data) for key in prefs.KINDS},
            digest_hour=form.digest_hour.data,
            weekly_team_digest=team and form.weekly_team_digest.data)
        db.session.commit()
        flash("Notification preferences saved.", "success")
        return redirect(url_for("notify.preferences"))
    return render_template("lms/notify/preferences.html", form=form,
                           kinds=[field_name(key) for key in prefs.KINDS],
                           team=team), 422 if form.errors else 200


# --- one-click unsubscribe from bulk mail (no sign-in) ---------------------------------------

@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients POST here (RFC 8058); the signed token is the proof
def unsubscribe(token: str):
    found = list_unsubscribe.read_token(token)
    headers = {"X-Robots-Tag": "noindex", "Cache-Control": "no-store",
               "Referrer-Policy": "no-referrer"}
    if found is None:
        return render_template("lms/notify/unsubscribe.html", found=None), 400, headers
    # A GET only shows the button: link scanners fetch links but do not press buttons.
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            return render_template("lms/notify/unsubscribe.html", found=found,
                                   token=token, problem=True), 400, headers
        list_unsubscribe.unsubscribe(found)
        db.session.commit()
        page = render_template("lms/notify/unsubscribe.html", found=found, done=True)
        return page, 200, headers
    return render_template("lms/notify/unsubscribe.html", found=found, token=token), 200, headers
