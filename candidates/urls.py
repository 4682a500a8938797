"""The candidates app's pages: one urlpatterns list per views module."""

from __future__ import annotations

from importlib import import_module

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
for _part in ("seats", "committee", "nominations", "slate", "party", "street", "kinship"):
    try:
        _module = import_module(f"candidates.views.{_part}")
    except ModuleNotFoundError as exc:
        if exc.name != f"candidates.views.{_part}":
            raise
        continue
    urlpatterns += _module.urlpatterns
