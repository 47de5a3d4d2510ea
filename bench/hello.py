"""A hello-world Flask app shaped like the concurrency mix, served like ``cadence serve``.

    python -m bench.hello --port 8001      # threads from CADENCE_SERVE_THREADS, as Cadence

It answers the mix's requests with the least work a Flask app can do: a page with a CSRF
field, a redirect after a form post, a small JSON list, a 201 after an API post. Served by
``lms.serving.serve`` with the same thread count, it is the baseline ``bench.concurrency``
compares Cadence with.
"""

from __future__ import annotations

import argparse
import os

from flask import Flask, jsonify, redirect, request

PAGE = '<!doctype html><title>Hello</title><input name="csrf_token" value="hello">'


def create_hello() -> Flask:
    app = Flask("hello")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str):
        if path.startswith("api/"):
            if request.method == "POST":
                return jsonify(id=1, **(request.get_json(silent=True) or {})), 201
            return jsonify(items=[], meta={"page": 1, "per_page": 20, "total": 0, "pages": 0})
        if request.method == "POST":
            return redirect("/")
        return PAGE

    return app


def main(argv: list[str] | None = None) -> None:
    from lms.config import Defaults
    from lms.serving import serve

    parser = argparse.ArgumentParser(description="Hello-world baseline server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    threads = int(os.environ.get("CADENCE_SERVE_THREADS") or Defaults.SERVE_THREADS)
    serve(create_hello(), args.host, args.port, threads=threads)


if __name__ == "__main__":
    main()
