"""The bottom layer: settings, the database base and unit of work, domain errors, numbering,
pagination and the registry of record kinds. Nothing here imports Flask or a feature module."""
