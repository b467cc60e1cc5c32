"""The CIS Docker Benchmark v1.6 host audit: the catalogue of checks, how each is judged, and the
run that turns a ``DockerHost`` into a ``Report``."""
