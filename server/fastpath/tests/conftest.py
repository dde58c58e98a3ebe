"""fastpath's own tests exercise the fast pieces through the fast stack whatever this
process's FAST_PATH_ENABLED says, so that they run (and pass) in both of bin/test's passes:
the whole suite passes with the switch on and with it off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from api.testing import GraphQLClient
from config.tests.stacks import stack


@pytest.fixture(autouse=True)
def _fast_stack(db: None) -> Iterator[GraphQLClient]:
    with override_settings(FAST_PATH_ENABLED=True), stack("fast") as client:
        yield GraphQLClient(client)


@pytest.fixture
def gql(_fast_stack: GraphQLClient) -> GraphQLClient:
    return _fast_stack
