"""Sign-in, sign-out, password reset and account settings pages."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms.auth import bp, services
from lms.auth.forms import (
    ApiTokenForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from lms.auth.models import ApiToken
from lms.auth.redirects import safe_next
from lms.authz import permission_required
from lms.errors import CadenceError
from lms.extensions import db, limiter
from lms.people.services import update_profile
from lms.web.forms import apply_error

SIGN_IN_FAILED = "That email and password do not match an active account."


def _login_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"login:{request.remote_addr}:{email}"


def _login_failed(response) -> bool:
    return response.status_code != 302


def _reentry_key() -> str:
    # The person, not the address: a guesser holding a stolen session gets the same few
    # tries from every address. (Signed-out requests never reach the view.)
    who = current_user.id if current_user.is_authenticated else request.remote_addr
    return f"password-reentry:{who}"


def _reentry_failed(response) -> bool:
    return g.get("wrong_password", False)


def _note_wrong_password(error: CadenceError) -> None:
    g.wrong_password = isinstance(error, services.WrongPasswordError)


# Re-entering one's password to change the email or password or to create an API token is
# throttled as sign-in is, over the three pages together: once spent, even the right
# password waits for the window to pass (429).
reentry_throttled = limiter.shared_limit(
    lambda: current_app.config["LOGIN_THROTTLE"], scope="password-reentry",
    key_func=_reentry_key, methods=["POST"], deduct_when=_reentry_failed)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_THROTTLE"], key_func=_login_key,
               methods=["POST"], deduct_when=_login_failed)
@limiter.limit("100 per hour", methods=["POST"], deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("home.index")))
    form = LoginForm()
    if form.validate_on_submit():
        person = services.authenticate(form.email.data, form.password.data)
        if person is not None:
            db.session.commit()  # keeps an upgraded password hash
            session.clear()
            login_user(person, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        form.password.errors.append(SIGN_IN_FAILED)
    return render_template("lms/auth/login.html", form=form), 200 if not form.errors else 401


@bp.post("/logout")
@login_required
def logout():
    current_user.invalidate_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If that email belongs to an active account, a reset link is on its way. "
              "It works once, within the hour.", "info")
        return redirect(url_for("auth.login"))
    return render_template("lms/auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.find_reset(token) is None:
        return render_template("lms/auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except CadenceError as error:
            apply_error(form, error)
        else:
            db.session.commit()
            logout_user()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for("auth.login"))
    return render_template("lms/auth/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            update_profile(current_user, name=form.name.data, time_zone=form.time_zone.data)
        except CadenceError as error:
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(profile=form)


def _account_page(**forms):
    forms.setdefault("profile", ProfileForm(obj=current_user, formdata=None))
    forms.setdefault("password", ChangePasswordForm(formdata=None))
    forms.setdefault("email", ChangeEmailForm(formdata=None))
    code = 422 if any(form.errors for form in forms.values()) else 200
    return render_template("lms/auth/account.html", forms=forms), code


@bp.post("/account/password")
@reentry_throttled
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current_password.data,
                                     new=form.password.data)
        except CadenceError as error:
            _note_wrong_password(error)
            apply_error(form, error)
        else:
            db.session.commit()
            _sign_in_again()
            flash("Password changed. Other devices and API tokens were signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(password=form)


def _sign_in_again() -> None:
    """Keep this browser signed in after its session generation was bumped.

    The others are signed out. A remember-me cookie here is re-issued too, or it would stop
    working the next time the browser starts.
    """
    remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    # login_user needs the person itself: given the proxy, current_user would refer to itself.
    login_user(current_user._get_current_object(), remember=remembered)


@bp.post("/account/email")
@reentry_throttled
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.change_email(current_user, password=form.current_password.data,
                                  new_email=form.email.data)
        except CadenceError as error:
            _note_wrong_password(error)
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Email changed.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(email=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@reentry_throttled
@login_required
def tokens():
    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _token, secret = services.create_api_token(
                current_user, password=form.current_password.data, name=form.name.data,
                scopes=form.scopes.data, days=form.days.data)
        except CadenceError as error:
            _note_wrong_password(error)
            apply_error(form, error)
        else:
            db.session.commit()
            form = ApiTokenForm(formdata=None)
    listed = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    code = 422 if form.errors else 200
    return render_template("lms/auth/tokens.html", form=form, tokens=listed,
                           secret=secret), code


@bp.post("/account/tokens/<int:id>/revoke")
@permission_required("token.revoke", load=ApiToken)
def revoke_token(apitoken: ApiToken):
    token = apitoken
    services.revoke_token(token, by=current_user)
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("auth.tokens"))
