import { createCluster } from "redis";

const WAREHOUSE = "{warehouse:eu-1}";
const STOCK_PREFIX = "stock:";
const LOW_STOCK_THRESHOLD = 5;

const cluster = createCluster({
  rootNodes: [
    { url: "redis://redis-0.shop.internal:6379" },
    { url: "redis://redis-1.shop.internal:6379" },
    { url: "redis://redis-2.shop.internal:6379" },
  ],
  useReplicas: true,
});

cluster.on("error", (err) => console.error("redis cluster error", err));

export async function connect(): Promise<void> {
  await cluster.connect();
}

export async function binContents(bin: string): Promise<Record<string, string>> {
  return cluster.hGetAll(`${WAREHOUSE}:bin:${bin}`);
}

export async function receive(bin: string, sku: string, qty: number): Promise<Record<string, string>> {
  const binKey = `${WAREHOUSE}:bin:${bin}`;
  await cluster.hIncrBy(binKey, sku, qty);
  return cluster.hGetAll(binKey);
}

export async function sharedCategories(skuA: string, skuB: string): Promise<string[]> {
  return cluster.sInter([`product:${skuA}:categories`, `product:${skuB}:categories`]);
}

export async function nextPick(): Promise<string | null> {
  return cluster.lMove(`${WAREHOUSE}:picking`, `${WAREHOUSE}:packed`, "LEFT", "RIGHT");
}

export async function stockLevels(skus: [string, string]): Promise<Array<string | null>> {
  return cluster.mGet([STOCK_PREFIX + skus[0], STOCK_PREFIX + skus[1]]);
}

export async function binTotals(): Promise<Array<string | null>> {
  return cluster.mGet([`${WAREHOUSE}:total:in`, `${WAREHOUSE}:total:out`]);
}

export async function rebuildRestockIndex(): Promise<number> {
  return cluster.sendCommand<number>(`${WAREHOUSE}:restock`, false, [
    "SUNIONSTORE",
    `${WAREHOUSE}:restock`,
    `${WAREHOUSE}:low`,
    `${WAREHOUSE}:backorder`,
  ]);
}

export async function auditCount(sku: string): Promise<number> {
  return cluster.sendCommand<number>(`audit:${sku}`, false, ["SINTERCARD", "2", `audit:${sku}`, "audit:flagged"]);
}

export async function setStock(sku: string, qty: number): Promise<number> {
  const key = STOCK_PREFIX + sku;
  const [, current] = await cluster.multi().set(key, String(qty)).get(key).exec();
  const level = Number(current ?? 0);
  if (level < LOW_STOCK_THRESHOLD) {
    await cluster.sAdd(`${WAREHOUSE}:low`, sku);
  }
  return level;
}

export async function transferBin(from: string, to: string, sku: string, qty: number): Promise<void> {
  await cluster
    .multi()
    .hIncrBy(`${WAREHOUSE}:bin:${from}`, sku, -qty)
    .hIncrBy(`bin:${to}`, sku, qty)
    .exec();
}
