from django.urls import include, path

from elections import views
from elections.notices import views as notice_views_module

notice_views = notice_views_module.urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("communities/new/", views.community_new, name="community_new"),
    path("c/<str:code>/", views.community, name="community"),
    path("c/<str:code>/election-day/", views.election_day_edit, name="election_day_edit"),
    path("c/<str:code>/schedule/", views.community_schedule, name="community_schedule"),
    path(
        "c/<str:code>/schedule/<str:kind>/move/",
        views.move_milestone_view,
        name="move_milestone",
    ),
    path(
        "c/<str:code>/schedule/<str:kind>/done/",
        views.complete_milestone_view,
        name="complete_milestone",
    ),
    path(
        "c/<str:code>/stage/<str:track>/advance/",
        views.advance_stage_view,
        name="advance_stage",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("users/", views.users, name="users"),
    path("users/roles/<int:pk>/revoke/", views.revoke_role_view, name="revoke_role"),
    path("", include("elections.registration.urls")),
    path("", include(notice_views)),
]
