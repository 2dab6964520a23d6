// Shared test support: temporary homes, running the real binary, loopback helpers.
