import asyncio
import json
import logging
import time

from redis.asyncio.cluster import RedisCluster

from app.keys import PROFILE_KEY, SETTINGS_KEY, USER_PREFIX, last_seen_key

log = logging.getLogger(__name__)

QUEUE_KEY = "{jobs:email}:pending"
PROCESSING_KEY = "{jobs:email}:processing"
DEAD_LETTER_KEY = "jobs:email:dead"
SENT_COUNTER = "stats:emails_sent"


async def send_email(address, template, context):
    await asyncio.sleep(0.05)
    log.info("sent %s to %s", template, address)


async def handle(rc, job):
    user_id = job["user_id"]
    profile, settings = await rc.mget(PROFILE_KEY % user_id, SETTINGS_KEY % user_id)
    prefs = json.loads(settings or "{}")
    if not prefs.get("marketing", True) and job["template"] == "promo":
        return
    await send_email(json.loads(profile)["email"], job["template"], job.get("context", {}))

    async with rc.pipeline() as pipe:
        pipe.incr(SENT_COUNTER)
        pipe.set(f"{USER_PREFIX}{user_id}:last_email", int(time.time()))
        await pipe.execute()


async def requeue_stuck(rc):
    # move one stuck job out of the processing list
    return await rc.lmove(PROCESSING_KEY, DEAD_LETTER_KEY, "LEFT", "RIGHT")


async def run():
    rc = RedisCluster(host="redis-cluster.internal", port=6379, decode_responses=True)
    try:
        while True:
            raw = await rc.blmove(QUEUE_KEY, PROCESSING_KEY, 5, "RIGHT", "LEFT")
            if raw is None:
                await requeue_stuck(rc)
                continue
            job = json.loads(raw)
            try:
                await handle(rc, job)
                await rc.set(last_seen_key(job["user_id"]), int(time.time()))
            except Exception:
                log.exception("email job failed")
                await rc.rpush(DEAD_LETTER_KEY, raw)
            await rc.lrem(PROCESSING_KEY, 1, raw)
    finally:
        await rc.aclose()


if __name__ == "__main__":
    asyncio.run(run())
