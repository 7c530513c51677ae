"""Views of the awards app, one module per part (eligibility, nominations, council, decisions, dashboard)."""
