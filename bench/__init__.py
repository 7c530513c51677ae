"""`make bench`: speed and scale of the application at 1x, 10x and 100x the demo (see README.md)."""
