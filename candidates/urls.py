"""The candidates app's pages: one urlpatterns list per views module."""

from __future__ import annotations

from candidates.views import nominations, party, seats, slate

urlpatterns = [
    *seats.urlpatterns,
    *nominations.urlpatterns,
    *slate.urlpatterns,
    *party.urlpatterns,
]
