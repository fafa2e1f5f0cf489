"""`assess TERM`: should we engage? The figures of one subject over a period (data, volume,
figures), a competitor's talk as an opening (competitor), and the verdict with its reasons.
"""
