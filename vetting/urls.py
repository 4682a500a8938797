from django.urls import path

from vetting import views

app_name = "vetting"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/sheet/<int:department>/", views.sheet_export, name="sheet_export"),
    path("rounds/<int:pk>/sheet/<int:department>/import/", views.sheet_import, name="sheet_import"),
    path("sheets/<int:pk>/", views.sheet_preview, name="sheet_preview"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("negative-list/", views.negative_list, name="negative_list"),
]
