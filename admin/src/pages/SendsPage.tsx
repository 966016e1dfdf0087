import { Link } from '../router.js';
import { SendDetail } from './sends/SendDetail.js';
import { SendsList } from './sends/SendsList.js';
import './sends/sends.css';

/** Sends: every newsletter send with its live progress, pause / resume / cancel, its report. */
export default function SendsPage({ path }: { path: string }) {
  const rest = path.slice('/sends'.length).replace(/^\//, '');
  if (rest === '') return <SendsList />;
  if (rest.includes('/'))
    return (
      <section className="pr-page">
        <p>
          Nothing here. <Link to="/sends">Go to sends</Link>
        </p>
      </section>
    );
  return <SendDetail key={rest} id={decodeURIComponent(rest)} />;
}
