"""Forms of the emulation app, one module per area: pledges, setup, covenants."""
