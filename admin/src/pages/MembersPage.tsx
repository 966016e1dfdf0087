import { Link } from '../router.js';
import { MemberDetailScreen } from './members/MemberDetail.js';
import { MembersImport } from './members/MembersImport.js';
import { MembersList } from './members/MembersList.js';

/** Members: list, filters, detail with history, comp, import and export. */
export default function MembersPage({ path }: { path: string }) {
  const rest = path.slice('/members'.length).replace(/^\//, '');
  if (rest === '') return <MembersList />;
  // Member ids are UUIDs, so this name can never be one.
  if (rest === 'import') return <MembersImport />;
  if (rest.includes('/'))
    return (
      <section className="pr-page">
        <p>
          Nothing here. <Link to="/members">Go to members</Link>
        </p>
      </section>
    );
  return <MemberDetailScreen key={rest} id={decodeURIComponent(rest)} />;
}
