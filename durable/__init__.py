"""Files margin writes so that a crash or a power cut leaves the old file or the new, never a part.

The bottom layer: `assistant`, `ingest` and `models` all import it, and it imports none of them.
"""
