"""The safety layer: what the suite refuses to read or write, how it writes atomically, locks and
child processes, and the privacy scrub and audit of everything it publishes."""
