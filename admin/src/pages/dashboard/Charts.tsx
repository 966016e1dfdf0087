import { useId } from 'react';
import { formatDay, formatNumber } from './dashboard-api.js';

/**
 * Charts drawn as inline SVG: no chart library to download. The SVG stretches to the width
 * of the page (the lines keep their thickness); the labels are HTML, so they stay readable
 * on a phone. Each chart is one image with a text description for screen readers, and its
 * figures are in a table beside it.
 */

const WIDTH = 600;
const HEIGHT = 200;

export interface Series {
  key: string;
  label: string;
  values: number[];
}

/** A round number at or above the largest value, for the top of the scale. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= max)!;
  return step * magnitude;
}

function ChartFrame(props: {
  title: string;
  description: string;
  dates: string[];
  max: number;
  children: React.ReactNode;
}) {
  const id = useId();
  const first = props.dates[0];
  const last = props.dates[props.dates.length - 1];
  return (
    <div className="pr-chart">
      <span className="pr-chart-max" aria-hidden="true">
        {formatNumber(props.max)}
      </span>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.description}</desc>
        {[0.25, 0.5, 0.75].map((f) => (
          <line
            key={f}
            className="pr-chart-grid"
            x1={0}
            x2={WIDTH}
            y1={HEIGHT * f}
            y2={HEIGHT * f}
          />
        ))}
        <line className="pr-chart-axis" x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} />
        {props.children}
      </svg>
      {first && last && (
        <div className="pr-chart-dates" aria-hidden="true">
          <span>{formatDay(first, true)}</span>
          <span>{formatDay(last, true)}</span>
        </div>
      )}
    </div>
  );
}

const x = (i: number, n: number) => (n <= 1 ? WIDTH / 2 : (i / (n - 1)) * WIDTH);
const y = (v: number, max: number) => HEIGHT - (v / max) * HEIGHT;

/**
 * Series stacked on one another, first at the bottom: the top edge is the total, the bands
 * its parts, and no series hides behind another.
 */
export function StackedAreaChart(props: {
  title: string;
  description: string;
  dates: string[];
  series: Series[];
}) {
  const n = props.dates.length;
  const totals = props.dates.map((_, i) =>
    props.series.reduce((t, s) => t + (s.values[i] ?? 0), 0),
  );
  const max = niceMax(Math.max(0, ...totals));
  const below = props.dates.map(() => 0);
  const point = (i: number, v: number) => `${x(i, n).toFixed(1)},${y(v, max).toFixed(1)}`;
  return (
    <ChartFrame title={props.title} description={props.description} dates={props.dates} max={max}>
      {props.series.map((s) => {
        const lower = [...below];
        const upper = lower.map((v, i) => v + (s.values[i] ?? 0));
        upper.forEach((v, i) => (below[i] = v));
        const top = upper.map((v, i) => point(i, v));
        const bottom = lower.map((v, i) => point(i, v)).reverse();
        return (
          <g key={s.key} className={`pr-chart-band pr-chart-${s.key}`}>
            <polygon points={[...top, ...bottom].join(' ')} />
            <polyline points={top.join(' ')} />
          </g>
        );
      })}
    </ChartFrame>
  );
}

/** One bar per day. */
export function BarChart(props: {
  title: string;
  description: string;
  dates: string[];
  values: number[];
}) {
  const max = niceMax(Math.max(0, ...props.values));
  const band = WIDTH / Math.max(1, props.values.length);
  const gap = props.values.length > 60 ? 0 : band * 0.2;
  return (
    <ChartFrame title={props.title} description={props.description} dates={props.dates} max={max}>
      {props.values.map((v, i) =>
        v > 0 ? (
          <rect
            key={props.dates[i]}
            className="pr-chart-bar"
            x={i * band + gap / 2}
            width={band - gap}
            y={y(v, max)}
            height={HEIGHT - y(v, max)}
          />
        ) : null,
      )}
    </ChartFrame>
  );
}
