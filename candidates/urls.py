"""The candidates app's pages: one urlpatterns list per views module."""

from __future__ import annotations

from candidates.views import (
    committee,
    kinship,
    nominations,
    party,
    printables,
    seats,
    slate,
    street,
)

urlpatterns = [
    *seats.urlpatterns,
    *committee.urlpatterns,
    *nominations.urlpatterns,
    *slate.urlpatterns,
    *party.urlpatterns,
    *kinship.urlpatterns,
    *street.urlpatterns,
    *printables.urlpatterns,
]
