"""GitHub's error answers: `{"message", "documentation_url", "status"}`, plus `errors` at times.

A handler raises `ApiError`; the server turns it into the JSON body GitHub
sends, with the documentation URL of the endpoint that failed unless the error
names its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

REST_DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """An answer other than success, shaped as GitHub shapes it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: Sequence[Any] | None = None,
        documentation_url: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = list(errors) if errors is not None else None
        self.documentation_url = documentation_url
        self.headers = dict(headers or {})

    def body(self, default_documentation_url: str = REST_DOCS) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = self.documentation_url or default_documentation_url
        body["status"] = str(self.status)
        return body


def not_found(documentation_url: str | None = None) -> ApiError:
    return ApiError(404, "Not Found", documentation_url=documentation_url)


def bad_credentials() -> ApiError:
    return ApiError(401, "Bad credentials", documentation_url=REST_DOCS)


def requires_authentication() -> ApiError:
    return ApiError(401, "Requires authentication", documentation_url=REST_DOCS)


def not_accessible(accepted_permissions: str) -> ApiError:
    return ApiError(
        403,
        "Resource not accessible by integration",
        headers={"x-accepted-github-permissions": accepted_permissions},
    )


def invalid_request(detail: str) -> ApiError:
    """GitHub's answer when a body fails its JSON schema: 422 "Invalid request.\\n\\n<detail>"."""
    return ApiError(422, f"Invalid request.\n\n{detail}")


def not_supplied(*fields: str) -> ApiError:
    if len(fields) == 1:
        return invalid_request(f'"{fields[0]}" wasn\'t supplied.')
    names = ", ".join(f'"{field}"' for field in fields)
    return invalid_request(f"{names} weren't supplied.")


def validation_failed(*errors: Mapping[str, Any]) -> ApiError:
    return ApiError(422, "Validation Failed", errors=[dict(error) for error in errors])


def problems_parsing_json() -> ApiError:
    return ApiError(400, "Problems parsing JSON")
