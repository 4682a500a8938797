"""张榜公布: notices published as immutable, numbered PDFs (DESIGN.md "Documents",
RULES.md §9). The core holds the framework — the registry of notice kinds
(`registry`), the rendering (`rendering`), publication exactly once (`publishing`) —
and the kinds of voter registration (N2–N4, `kinds`). Apps above register their own
kinds at start-up; the core imports none of them."""
