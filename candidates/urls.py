"""The candidates app's pages: one urlpatterns list per views module."""

from __future__ import annotations

from candidates.views import committee, nominations, party, seats, slate

urlpatterns = [
    *seats.urlpatterns,
    *committee.urlpatterns,
    *nominations.urlpatterns,
    *slate.urlpatterns,
    *party.urlpatterns,
]
