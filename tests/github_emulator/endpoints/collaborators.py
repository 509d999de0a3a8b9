"""A user's permission on a repository, as roles map onto GitHub's older permission words."""

from __future__ import annotations

from tests.github_emulator.calls import Answer, Call, json_answer
from tests.github_emulator.errors import ApiError
from tests.github_emulator.representations import permission_json


def get_permission(call: Call) -> Answer:
    username = call.params["username"]
    user = call.state.find_user(username)
    if user is None:
        raise ApiError(404, f"{username} is not a user")
    return json_answer(permission_json(call.state, call.urls, call.repo, user))
