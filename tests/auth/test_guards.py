"""The guards themselves: a guard that asks for a capability or a row in the area first asks
whether anybody is signed in (401), whatever middleware ran before it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from litestar.exceptions import NotAuthorizedException

from app.auth.guards import capable, in_scope
from app.disputes.tables import Dispute


@pytest.mark.parametrize(
    "guard", [capable("file_sweep"), in_scope(Dispute, "dispute_id")], ids=["capable", "in_scope"]
)
async def test_nobody_signed_in_is_401_before_anything_else(guard):
    nobody = SimpleNamespace(scope={"user": None}, user=None, path_params={"dispute_id": "x"})
    with pytest.raises(NotAuthorizedException):
        await guard(nobody, None)
