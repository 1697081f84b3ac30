"""Turning diagnosed objects into text an admin can read, paste or load: pure, no I/O."""
