import axios from "axios";

// In-process caches and HTTP clients: none of this talks to Redis.
const cache = new Map<string, unknown>();
const ttl = new WeakMap<object, number>();

export function cachedUser(id: string): unknown {
  if (!cache.has(`user:${id}`)) {
    cache.set(`user:${id}`, { id, loadedAt: Date.now() });
  }
  return cache.get("user:1");
}

export async function fetchUser(id: string) {
  const res = await axios.get(`https://api.example.com/users/user:${id}`);
  cache.set(`user:${id}`, res.data);
  return res.data;
}

export async function dropSession(id: string): Promise<void> {
  cache.delete(`session:${id}`);
  await axios.delete(`https://api.example.com/sessions/${id}`);
}

export function pickPrices(prices: Record<string, number>, a: string, b: string): number[] {
  const keys = [`price:${a}`, `price:${b}`];
  return keys.map((k) => prices[k] ?? 0);
}

export const env = {
  key: process.env.KEY,
  url: new URL("redis://localhost:6379").searchParams.get("db"),
};

export function remember(obj: object, seconds: number): void {
  ttl.set(obj, Date.now() + seconds * 1000);
}
