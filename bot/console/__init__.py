"""The local chat in a terminal: a first-class adapter, and the proof handlers know no platform."""
