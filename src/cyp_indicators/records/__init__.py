"""Record-level data: readers for the CIN census and SSDA903, periods, working days, derivations."""
