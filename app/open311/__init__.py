"""Open311 GeoReport v2: the county's cases as service requests for other platforms."""
