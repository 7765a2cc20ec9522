"""Performance estimation: exact worst cases of first-order methods over function classes, as SDPs, with
certificates re-checked in exact rational arithmetic."""
