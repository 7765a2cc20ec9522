"""The floor every layer may stand on: file output and package data (imports nothing else of pplimits)."""
