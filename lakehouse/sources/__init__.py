"""Sources: the three feeds (meters, weather, prices) landed as files in the landing zone.

`feeds.extract(feed, day)` lands one local day of one feed, from the simulator (default) or a
real connector; `landing.LandingStore` writes the files atomically to a folder or to S3.
"""
