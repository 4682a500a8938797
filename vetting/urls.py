from django.urls import path

from vetting import views

app_name = "vetting"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
]
