"""The ballots app's pages (namespace "ballots")."""

from __future__ import annotations

from ballots.archive_views import urlpatterns as archive_urlpatterns
from ballots.certification_views import urlpatterns as certification_urlpatterns
from ballots.party_views import urlpatterns as party_urlpatterns
from ballots.polling_views import urlpatterns as polling_urlpatterns
from ballots.views import urlpatterns as day_urlpatterns

app_name = "ballots"
urlpatterns = [
    *day_urlpatterns,
    *polling_urlpatterns,
    *party_urlpatterns,
    *certification_urlpatterns,
    *archive_urlpatterns,
]

__all__ = ["app_name", "urlpatterns"]
