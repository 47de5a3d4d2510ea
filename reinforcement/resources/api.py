"""Resources in the REST API: list, read, create, update, download and acknowledge."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from lms.api import field_names, one_transaction, page_of, token_required
from lms.authz import load_visible, require
from lms.web import files
from reinforcement import READ, WRITE
from reinforcement.resources import services as resources
from reinforcement.resources.models import Resource
from reinforcement.resources.schemas import (
    AcknowledgementSchema,
    ResourceCreateSchema,
    ResourceDetailSchema,
    ResourceListSchema,
    ResourceQuerySchema,
    ResourceUpdateSchema,
)

resources_blp = Blueprint("resources_api", __name__, url_prefix="/api/v1/resources",
                          description="Playbooks, job aids and reinforcement guides")
BLUEPRINTS = (resources_blp,)
# Where a service's refusal points, in the API's own field names.
API_FIELDS = {"program": "program_id", "course": "course_id"}

def _resource_out(resource: Resource, status: dict, assigned: set) -> dict:
    return {"id": resource.id, "title": resource.title, "kind": resource.kind,
            "summary": resource.summary, "audience": resources.audience_levels(resource),
            "program_id": resource.program_id, "course_id": resource.course_id,
            "is_archived": resource.is_archived,
            "current_version_number": (resource.current_version.number
                                       if resource.current_version else None),
            "assigned_to_me": resource.id in assigned, "read_status": status[resource.id]}



def _resource_detail(resource: Resource) -> dict:
    user = g.api_user
    out = _resource_out(resource, resources.read_status([resource], user),
                        resources.assigned_ids([resource], user))
    version = resource.current_version
    ack = resources.acknowledgement(resource, user) if version else None
    file = None
    if version is not None and version.file is not None:
        file = {"name": version.file.original_name, "content_type": version.file.content_type,
                "size": version.file.size, "url": f"/api/v1/resources/{resource.id}/file"}
    return {**out, "acknowledged_at": ack.acknowledged_at if ack else None,
            "current_version": None if version is None else {
                "number": version.number, "body_markdown": version.body_markdown,
                "body_html": version.body_html, "file": file,
                "change_note": version.change_note, "created_at": version.created_at}}



def _resource(resource_id: int, action: str) -> Resource:
    resource = load_visible(Resource, resource_id, g.api_user)
    require(g.api_user, action, resource)
    return resource



def _resource_data(payload: dict, resource: Resource | None = None) -> resources.ResourceData:
    current: dict = {"kind": "playbook", "summary": "", "audience": [], "program_id": None,
                     "course_id": None}
    if resource is not None:
        current = {"title": resource.title, "kind": str(resource.kind),
                   "summary": resource.summary,
                   "audience": resources.audience_levels(resource),
                   "program_id": resource.program_id, "course_id": resource.course_id}
    fields = {"title", "kind", "summary", "audience", "program_id", "course_id"}
    current.update({k: v for k, v in payload.items() if k in fields})
    return resources.ResourceData(**current)



@resources_blp.route("/")
@token_required(READ)
@resources_blp.arguments(ResourceQuerySchema, location="query", unknown=ma.RAISE)
@resources_blp.response(200, ResourceListSchema)
def resource_index(args):
    """The resource library you may see, with whether each is assigned to you and read."""
    user = g.api_user
    chosen = resources.LibraryFilter(
        kind=args["kind"], level=args["level"], program_id=args["program_id"],
        mine=args["mine"], archived=args["archived"] and user.is_admin)
    page = page_of(resources.library(user, chosen)
                   .options(joinedload(Resource.current_version)), args)
    status = resources.read_status(page["items"], user)
    assigned = resources.assigned_ids(page["items"], user)
    page["items"] = [_resource_out(r, status, assigned) for r in page["items"]]
    return page



@resources_blp.route("/<int:resource_id>")
@token_required(READ)
@resources_blp.response(200, ResourceDetailSchema)
def resource_detail(resource_id):
    """One resource with its current version (text, or the file's details)."""
    return _resource_detail(_resource(resource_id, "resource.view"))



@resources_blp.route("/<int:resource_id>/file")
@token_required(READ)
@resources_blp.response(200, description="The current version's file, as a download.")
def resource_file(resource_id):
    """Download the current version's file (404 when the resource is a text)."""
    resource = _resource(resource_id, "resource.view")
    version = resource.current_version
    if version is None or version.file is None:
        abort(404, description="The current version of this resource is not a file.")
    return files.send_stored_file(version.file)



@resources_blp.route("/", methods=["POST"])
@token_required(WRITE)
@resources_blp.arguments(ResourceCreateSchema)
@resources_blp.response(201, ResourceDetailSchema)
def resource_create(payload):
    """Add a Markdown resource (admins); files are uploaded in the browser."""
    require(g.api_user, "resource.manage")
    with one_transaction(), field_names(API_FIELDS):
        resource = resources.create_resource(
            _resource_data(payload), resources.VersionData(body_markdown=payload[
                "body_markdown"]), by=g.api_user)
    return _resource_detail(resource)



@resources_blp.route("/<int:resource_id>", methods=["PATCH"])
@token_required(WRITE)
@resources_blp.arguments(ResourceUpdateSchema)
@resources_blp.response(200, ResourceDetailSchema)
def resource_update(payload, resource_id):
    """Change a resource (admins); a new ``body_markdown`` publishes a new version."""
    resource = _resource(resource_id, "resource.manage")
    archived = payload.get("is_archived")
    with one_transaction(), field_names(API_FIELDS):
        if archived is False and resource.is_archived:
            resources.set_archived(resource, False, by=g.api_user)
        if set(payload) & {"title", "kind", "summary", "audience", "program_id", "course_id"}:
            resources.update_resource(resource, _resource_data(payload, resource),
                                      by=g.api_user)
        if "body_markdown" in payload:
            resources.add_version(resource, resources.VersionData(
                body_markdown=payload["body_markdown"],
                change_note=payload.get("change_note", "")), by=g.api_user)
        if archived and not resource.is_archived:
            resources.set_archived(resource, True, by=g.api_user)
    return _resource_detail(resource)



@resources_blp.route("/<int:resource_id>/acknowledge", methods=["POST"])
@token_required(WRITE)
@resources_blp.response(200, AcknowledgementSchema)
def resource_acknowledge(resource_id):
    """Confirm you have read the current version (again after each new version)."""
    resource = _resource(resource_id, "resource.view")
    with one_transaction():
        ack = resources.acknowledge(resource, g.api_user)
    return {"resource_id": resource.id, "version_number": resource.current_version.number,
            "acknowledged_at": ack.acknowledged_at}

