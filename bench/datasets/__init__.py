"""Public datasets exported into the shape a retailer would hand us (files + a column mapping)."""
