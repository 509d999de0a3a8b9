"""The GitHub App: webhooks in, rq jobs, reviews published back to GitHub.

Everything that talks to GitHub, Redis, rq or HTTP lives here; the engine
(`analyzers`, `checklist`) stays pure and is only called.
"""
