"""Voter spreadsheets: reading (reading, cells), the column layout (columns), row checks
(checks) and writing (writing). Pure Python: no Django import."""
