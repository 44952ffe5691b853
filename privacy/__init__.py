"""What the assistant keeps about visitors and for how long: the notice's settings, the retention
job, finding and erasing one visitor's data, and the audit log of both."""
