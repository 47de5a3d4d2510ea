"""Courses, enrolments and progress in the REST API."""

from flask_smorest import Blueprint

blp = Blueprint("courses_api", __name__, url_prefix="/api/v1/courses",
                description="Courses, enrolments and progress")
