"""The admin page for reminder rules: each rule's switch and thresholds."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.authz import permission_required
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.models import SystemState
from lms.reminders import bp, services
from lms.reminders.forms import ReminderSettingForm
from lms.reminders.rules import RULES, thresholds
from lms.reminders.sweep import STATE_NAME


@bp.get("/")
@permission_required("reminders.manage")
def index():
    return render_template("lms/reminders/index.html", rules=RULES.values(),
                           limits=thresholds(), last_sweep=db.session.get(SystemState, STATE_NAME))


@bp.route("/<key>", methods=["GET", "POST"])
@permission_required("reminders.manage")
def edit(key: str):
    rule = RULES.get(key) or abort(404)
    form = ReminderSettingForm(obj=thresholds()[key])
    if form.validate_on_submit():
        data = services.SettingData(form.enabled.data, form.days_before.data,
                                    form.escalate_after_days.data)
        try:
            services.update_setting(rule, data, by=current_user)
        except ValidationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Reminder rule “{rule.label}” saved.", "success")
            return redirect(url_for("reminders.index"))
    return render_template("lms/reminders/edit.html", rule=rule, form=form)
