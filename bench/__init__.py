"""`make bench`: each module here has `run()`, which prints medians and ratios against a
baseline measured in the same run (never a timed test). `python -m bench NAME…` runs some."""
