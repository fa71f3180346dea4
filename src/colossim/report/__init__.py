"""The Colossus story in one command: a report assembled from the core's public functions."""
