import { formatDay, formatNumber } from './dashboard-api.js';

/** A chart's figures, day by day (newest first), folded away until asked for. */
export function FiguresTable(props: {
  summary: string;
  caption: string;
  columns: string[];
  rows: { date: string; values: number[] }[];
}) {
  return (
    <details className="pr-dashboard-figures">
      <summary>{props.summary}</summary>
      <div className="pr-dashboard-scroll">
        <table className="pr-table">
          <caption className="pr-visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {props.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...props.rows].reverse().map((r) => (
              <tr key={r.date}>
                <th scope="row">{formatDay(r.date, true)}</th>
                {r.values.map((v, i) => (
                  <td key={props.columns[i]}>{formatNumber(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
