"""The HTTP edge of the engine: application, settings, scheme-registry client and command line."""
