import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.clients.jobs_api import JobsApiClient
from app.routers import match

logging.basicConfig(
    level=os.environ.get("LOG_LEVEL", "INFO").upper(),
    format="%(asctime)s %(levelname)s %(name)s %(message)s",
)
logger = logging.getLogger("ai_engine")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.jobs_api = JobsApiClient.from_env()
    logger.info("ai-engine started")
    try:
        yield
    finally:
        await app.state.jobs_api.aclose()
        logger.info("ai-engine stopped")


app = FastAPI(title="Marketplace AI Engine", version="1.4.0", lifespan=lifespan)
app.include_router(match.router, prefix="/api/v1")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
