"""Loyalty points, written the way services usually are: the client comes in through the
constructor, helpers take the pipeline, and keys come from small builder methods."""
from app.infra import make_client


class LoyaltyStore:
    def __init__(self, conn=None):
        self._conn = conn

    @property
    def redis(self):
        return self._conn

    def _points_key(self, user_id):
        return f"loyalty:{user_id}:points"

    def _history_key(self, user_id):
        return f"{{loyalty:{user_id}}}:history"

    def _append(self, user_id, entry, client=None):
        c = client if client is not None else self.redis
        c.rpush(self._history_key(user_id), entry)

    def award(self, user_id, points):
        # a transaction across the points and the history: they are not in one slot
        # (the history is tagged `{loyalty:<id>}`, the points key is not)
        tx = self.redis.pipeline(transaction=True)
        tx.incrby(self._points_key(user_id), points)
        tx.rpush(self._history_key(user_id), f"+{points}")
        tx.execute()

    def backfill(self, entries):
        # a cluster pipeline is split per node by redis-py: nothing to report
        pipe = self.redis.pipeline(transaction=False)
        for user_id, entry in entries:
            self._append(user_id, entry, client=pipe)
        pipe.execute()

    def balance(self, user_id):
        return int(self.redis.get(self._points_key(user_id)) or 0)


store = LoyaltyStore(make_client())
