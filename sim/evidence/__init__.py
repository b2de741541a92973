"""The model against evidence: observed data, facts, calibration and hindcasts."""
