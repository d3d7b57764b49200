/**
 * Requests per day as an SVG bar chart (server-rendered, no client JavaScript). Small enough that a charting
 * library would cost more than it gives.
 */
export function UsageChart({ series, label }: { series: { day: string; count: number }[]; label: string }) {
  const max = Math.max(1, ...series.map((p) => p.count));
  const width = 280;
  const height = 60;
  const bar = width / series.length;
  const total = series.reduce((sum, p) => sum + p.count, 0);
  return (
    <figure className="space-y-1">
      <svg role="img" aria-label={`${label}: ${total} requests in ${series.length} days`} viewBox={`0 0 ${width} ${height}`} className="h-16 w-72">
        {series.map((point, i) => {
          const h = Math.round((point.count / max) * (height - 4));
          return (
            <rect key={point.day} x={i * bar + 1} y={height - h} width={bar - 2} height={h} className="fill-brand-600">
              <title>{`${point.day}: ${point.count}`}</title>
            </rect>
          );
        })}
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} className="stroke-slate-300" />
      </svg>
      <figcaption className="text-xs text-slate-500">
        Requests per day, last {series.length} days ({total} total)
      </figcaption>
    </figure>
  );
}
