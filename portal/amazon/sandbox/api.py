"""The sandbox's server-to-server endpoints: Login with Amazon's token endpoint and the SP-API
call, on the sandbox's blueprint (the pages a seller sees are in views.py)."""

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from ...extensions import db
from . import lwa, services, spapi
from .models import TokenRequest
from .views import bp


def lwa_json(body: dict, status: int = 200) -> ResponseReturnValue:
    response = jsonify(body)
    response.status_code = status
    response.headers["Content-Type"] = "application/json;charset=UTF-8"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.route("/auth/o2/token", methods=["GET", "POST", "PUT", "DELETE"])
def token() -> ResponseReturnValue:
    """Login with Amazon's token endpoint."""
    fields = request.form.to_dict() if request.form else (request.get_json(silent=True) or {})
    log = TokenRequest(
        grant_type=str(fields.get("grant_type"))[:32],
        content_type=request.content_type,
        secret_in_body="client_secret" in fields,
        basic_auth=request.authorization is not None,
        fields=",".join(sorted(fields))[:255],
    )
    db.session.add(log)
    db.session.commit()
    outage = services.setting("outage")
    db.session.commit()  # end the transaction: an outage may keep this request waiting
    if outage in ("500", "503"):
        error = ("server_error", 500) if outage == "500" else ("temporarily_unavailable", 503)
        return lwa_json({"error": error[0], "error_description": "Service unavailable"}, error[1])
    if outage == "timeout":
        services.wait_past_timeout()
        return lwa_json({"error": "temporarily_unavailable", "error_description": "Timed out"}, 504)
    if outage == "not_json":
        return "<html><body>Gateway error</body></html>", 200, {"Content-Type": "text/html"}
    try:
        if request.method != "POST":
            raise lwa.MALFORMED
        return lwa_json(lwa.token_answer(fields))
    except lwa.LwaError as error:
        return lwa_json(
            {"error_description": error.description, "error": error.error}, error.status
        )


@bp.get("/sp-api/sellers/v1/marketplaceParticipations")
def participations() -> ResponseReturnValue:
    token = request.headers.get("x-amz-access-token")
    problem = spapi.access_problem(token)
    if problem:
        code, details = problem
        error = {"code": code, "message": "Access to requested resource is denied."}
        if details:
            error["details"] = details
        response = jsonify(errors=[error])
        response.status_code = 403
        if code == "MissingAuthenticationToken":
            response.headers["x-amzn-ErrorType"] = "MissingAuthenticationTokenException"
        return response
    seller = spapi.seller_of_access_token(token)
    payload = [spapi.participation(code) for code in seller.marketplaces.split(",")]
    response = jsonify(payload=payload)
    response.headers["x-amzn-RequestId"] = services.new_secret("")[:36]
    return response
