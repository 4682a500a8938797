from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from elections.views import HuanjieLoginView, healthz

admin.site.site_header = "换届通 系统管理"
admin.site.site_title = "换届通"

urlpatterns = [
    path("accounts/login/", HuanjieLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("vetting/", include("vetting.urls")),
    path("", include("ballots.urls")),
    path("", include("candidates.urls")),
    path("", include("elections.urls")),
]
