import { useEffect, useState } from "react";

type BadgeProps = {
  userId: string;
  labels: Map<string, string>;
};

const badgeCache = new Map<string, number>();

export function CartBadge({ userId, labels }: BadgeProps) {
  const [count, setCount] = useState<number>(badgeCache.get(`cart:${userId}`) ?? 0);
  const title = labels.get("key") ?? "Cart";

  useEffect(() => {
    const stored = localStorage.getItem("user:1");
    if (stored) {
      setCount(JSON.parse(stored).cartCount ?? 0);
    }
    let cancelled = false;
    fetch(`/api/cart/${userId}/count`)
      .then((res) => res.json())
      .then((body: { count: number }) => {
        if (!cancelled) {
          badgeCache.set(`cart:${userId}`, body.count);
          sessionStorage.setItem(`session:${userId}`, String(body.count));
          setCount(body.count);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [userId]);

  return (
    <span className="badge" title={title} data-key={`{user:${userId}}:cart`}>
      {count > 99 ? "99+" : count}
    </span>
  );
}
