"""Voter registration's pages: the roll, its import and objections."""

from elections.registration.views import exports, imports, objections, voters

urlpatterns = [
    *voters.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
    *objections.urlpatterns,
]
