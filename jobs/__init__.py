"""Periodic and background work, one active runner per job across instances (a lease in the
store). `Job` is what a job implements, `JobRunner` runs a list of them; see jobs/README.md."""
