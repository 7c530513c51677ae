"""Views of the emulation app: pledges (units and review), setup (movement, criteria, periods), covenants."""
