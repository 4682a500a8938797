"""Voter registration's pages: the roll, its import and objections."""

from elections.registration.views import imports, objections, voters

urlpatterns = [
    *voters.urlpatterns,
    *imports.urlpatterns,
    *objections.urlpatterns,
]
