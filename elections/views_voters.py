"""Pages of the voters part of voter registration (filled in by its issue work)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
