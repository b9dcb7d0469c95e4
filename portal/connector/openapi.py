"""The connector API described in OpenAPI 3.1, served at /api/v1/openapi.json. The report's
schema is the one the API validates with (sync.RunReport); the tests check real answers
against the rest with openapi-core.

Longer than our modules usually are: it is one declarative document, read best in one place.
"""

from functools import cache

from .sync import RunReport, SyncState
from .webhooks import EVENT_TYPES, Registration

TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
STATES = ["active", "expiring", "expired", "deactivated", "revoked", "not_connected"]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_answer(description: str, codes: list[str]) -> dict:
    schema = {"allOf": [ref("Error"), {"properties": {"error": {"enum": codes}}}]}
    return answer(description, schema)


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Machine-readable code."},
            "message": {"type": "string", "description": "In the merchant's language."},
            "renew_url": {
                "type": "string",
                "format": "uri",
                "description": "On 409: the article's renewal steps, in the merchant's language.",
            },  # fmt: skip
            "problems": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Connection": {
        "type": "object",
        "required": ["id", "selling_partner_id", "marketplace", "region", "state", "expires_at"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "selling_partner_id": {"type": "string"},
            "marketplace": {"type": "string", "description": "Country code, e.g. DE."},
            "region": {"type": "string", "enum": ["NA", "EU", "FE"]},
            "state": {"type": "string", "enum": STATES},
            "expires_at": TIME,
        },
    },
    "AccessToken": {
        "type": "object",
        "required": [
            "access_token",
            "token_type",
            "expires_at",
            "selling_partner_id",
            "region",
            "spapi_url",
        ],  # fmt: skip
        "additionalProperties": False,
        "properties": {
            "access_token": {"type": "string", "description": "For x-amz-access-token."},
            "token_type": {"type": "string", "enum": ["bearer"]},
            "expires_at": TIME,
            "selling_partner_id": {"type": "string"},
            "region": {"type": "string", "enum": ["NA", "EU", "FE"]},
            "spapi_url": {"type": "string", "format": "uri"},
        },
    },
    "Run": {
        "type": "object",
        "required": ["run_id", "kind", "status", "started_at", "finished_at", "items", "error"],
        "additionalProperties": False,
        "properties": {
            "run_id": {"type": "string"},
            "kind": {"type": "string", "enum": ["stock_and_prices", "orders"]},
            "status": {"type": "string", "enum": ["ok", "failed"]},
            "started_at": TIME,
            "finished_at": TIME,
            "items": {"type": ["integer", "null"]},
            "error": {
                "type": ["object", "null"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "Webhook": {
        "type": "object",
        "required": ["id", "url", "events", "failing_since"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "events": {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}},
            "failing_since": NULLABLE_TIME,
            "secret": {
                "type": "string",
                "description": "Only in the answer that creates it: "
                "whsec_..., to verify the signatures (Standard Webhooks).",
            },  # fmt: skip
        },
    },
    "Event": {
        "type": "object",
        "description": "What an endpoint receives, with the headers webhook-id (the same on "
        "every retry), webhook-timestamp and webhook-signature (Standard Webhooks).",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"type": "string", "enum": list(EVENT_TYPES)},
            "timestamp": TIME,
            "data": {
                "type": "object",
                "properties": {
                    "connection": {"anyOf": [ref("Connection"), {"type": "null"}]},
                    "days_left": {"type": "integer", "description": "connection.expiring"},
                },
            },
        },
    },
    "Sync": {
        "type": "object",
        "required": [
            "state",
            "last_success_at",
            "last_failure_at",
            "stopped_since",
            "failing_since",
            "error",
        ],  # fmt: skip
        "additionalProperties": False,
        "properties": {
            "state": {"type": "string", "enum": [state.value for state in SyncState]},
            "last_success_at": NULLABLE_TIME,
            "last_failure_at": NULLABLE_TIME,
            "stopped_since": NULLABLE_TIME,
            "failing_since": NULLABLE_TIME,
            "error": {
                "type": ["object", "null"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

UNAUTHORIZED = error_answer("No key, a wrong one or a revoked one.", ["unauthorized"])
NOT_FOUND = error_answer("Not a connection of this key's merchant.", ["not_found"])
LIMITED = {"description": "Too many calls with this key (PORTAL_CONNECTOR_API_LIMIT)."}
CONNECTION_ID = {
    "name": "connection_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def paths() -> dict:
    return {
        "/api/v1/connector/connections": {
            "get": {
                "summary": "The key's merchant's Amazon connections",
                "responses": {
                    "200": answer("The connections", {"type": "array", "items": ref("Connection")}),
                    "401": UNAUTHORIZED,
                    "429": LIMITED,
                },
            }
        },
        "/api/v1/connector/connections/{connection_id}/access-token": {
            "post": {
                "summary": "A valid LWA access token for the seller (the refresh token stays "
                "in the portal)",
                "parameters": [CONNECTION_ID],
                "responses": {
                    "200": answer(
                        "An access token with at least five minutes left", ref("AccessToken")
                    ),  # fmt: skip
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "409": error_answer(
                        "The connection cannot give access; renew_url leads to the renewal.",
                        ["expired", "deactivated", "revoked", "not_connected"],
                    ),
                    "429": LIMITED,
                    "502": error_answer("Login with Amazon failed.", ["amazon_unavailable"]),
                    "504": error_answer(
                        "Login with Amazon did not answer in time.", ["amazon_timeout"]
                    ),  # fmt: skip
                },
            }
        },
        "/api/v1/connector/connections/{connection_id}/sync-runs": {
            "post": {
                "summary": "Report a synchronisation run (stored once by run_id)",
                "parameters": [CONNECTION_ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("RunReport")}},
                },
                "responses": {
                    "201": answer("Stored", run_answer()),
                    "200": answer("Stored before (the same run_id): nothing new", run_answer()),
                    "400": error_answer(
                        "Not valid: problems says why; nothing stored.", ["invalid_report"]
                    ),  # fmt: skip
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "429": LIMITED,
                },
            }
        },
    }


def webhook_paths() -> dict:
    endpoint_id = {**CONNECTION_ID, "name": "endpoint_id"}
    return {
        "/api/v1/connector/webhooks": {
            "get": {
                "summary": "The key's merchant's webhook endpoints",
                "responses": {
                    "200": answer("The endpoints", {"type": "array", "items": ref("Webhook")}),
                    "401": UNAUTHORIZED,
                    "429": LIMITED,
                },
            },
            "post": {
                "summary": "Register an endpoint; the answer holds its signing secret, once",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("Registration")}},
                },
                "responses": {
                    "201": answer("Registered", ref("Webhook")),
                    "400": error_answer("Not valid: problems says why.", ["invalid_webhook"]),
                    "401": UNAUTHORIZED,
                    "429": LIMITED,
                },
            },
        },
        "/api/v1/connector/webhooks/{endpoint_id}": {
            "delete": {
                "summary": "Remove an endpoint (and what is still to be sent to it)",
                "parameters": [endpoint_id],
                "responses": {
                    "204": {"description": "Removed"},
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "429": LIMITED,
                },  # fmt: skip
            }
        },
        "/api/v1/connector/webhooks/{endpoint_id}/test": {
            "post": {
                "summary": "Send a test event to this endpoint",
                "parameters": [endpoint_id],
                "responses": {
                    "202": answer(
                        "Queued",
                        {
                            "type": "object",
                            "required": ["webhook_id"],
                            "properties": {"webhook_id": {"type": "string"}},
                        },
                    ),  # fmt: skip
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "429": LIMITED,
                },
            }
        },
    }


def run_answer() -> dict:
    return {
        "type": "object",
        "required": ["run", "sync"],
        "properties": {"run": ref("Run"), "sync": ref("Sync")},
    }


@cache
def document() -> dict:
    report = RunReport.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = report.pop("$defs", {})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Connector API",
            "version": "1",
            "description": "The connector gets its Amazon access from the portal and reports "
            "its synchronisation. Authenticate with `Authorization: Bearer <connector key>`.",
        },
        "components": {
            "schemas": {
                **SCHEMAS,
                **nested,
                "RunReport": report,
                "Registration": Registration.model_json_schema(),
            },  # fmt: skip
            "securitySchemes": {"connectorKey": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"connectorKey": []}],
        "paths": {**paths(), **webhook_paths()},
        "webhooks": {
            "connectionEvent": {
                "post": {
                    "summary": "An event about one of the merchant's connections",
                    "requestBody": {"content": {"application/json": {"schema": ref("Event")}}},
                    "responses": {"200": {"description": "Any 2xx: received"}},
                }
            }
        },
    }
