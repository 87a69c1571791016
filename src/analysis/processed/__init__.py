"""The processed tables of a year: writing them (workspace), reading them (load), the manifest,
the completeness gate, and the derived pairs and membership every indicator uses."""
