"""Solving the proof-of-work of the anonymous public forms, as a browser's script does."""

from __future__ import annotations

import altcha

__all__ = ["solve_altcha", "solve_challenge"]


def solve_challenge(challenge: dict) -> str:
    """The `altcha` value for a challenge of `GET /api/v1/public/challenge`."""
    solution = altcha.solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxnumber"]
    )
    assert solution is not None, "the challenge has no solution below its maxnumber"
    return altcha.PayloadV1(
        challenge["algorithm"],
        challenge["challenge"],
        solution.number,
        challenge["salt"],
        challenge["signature"],
    ).to_base64()


def solve_altcha(client) -> str:
    """Fetch a challenge with this test client and solve it."""
    resp = client.get("/api/v1/public/challenge")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return solve_challenge(resp.get_json())
