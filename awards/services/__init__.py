"""Write-side use cases of the awards app, one module per part (eligibility, nominations, council,
decisions). Import from the module itself: `from awards.services.nominations import submit_nomination`.
"""
