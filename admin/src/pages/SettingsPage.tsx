import { useEffect, useRef } from 'react';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { EmailSettingsSection } from './settings/EmailSettings.js';
import { NewslettersSection } from './settings/NewslettersSettings.js';
import { PaymentsSection } from './settings/PaymentsSettings.js';
import { PlansSection } from './settings/PlansSettings.js';
import { PublicationSection } from './settings/PublicationSettings.js';
import { canChangeSettings } from './settings/settings-api.js';
import './settings/settings.css';

const SECTIONS = [
  { slug: 'publication', label: 'Publication', Section: PublicationSection },
  { slug: 'plans', label: 'Plans and prices', Section: PlansSection },
  { slug: 'payments', label: 'Payments and pledges', Section: PaymentsSection },
  { slug: 'email', label: 'Email', Section: EmailSettingsSection },
  { slug: 'newsletters', label: 'Newsletters', Section: NewslettersSection },
] as const;

/**
 * Settings: the publication, plans and prices, payments and pledges, how email leaves, and
 * newsletters, one section per address (`/settings/<section>`), so each can be linked to.
 */
export default function SettingsPage({ path }: { path: string }) {
  const { staff } = useSession();
  const slug = path.slice('/settings'.length).replace(/^\//, '') || 'publication';
  const current = SECTIONS.find((s) => s.slug === slug);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  // Moving between sections moves the focus to the new section's heading, as a page load
  // would; the first visit leaves it where the browser put it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [slug]);

  return (
    <section className="pr-page pr-set">
      <div className="pr-page-head">
        <h1>Settings</h1>
      </div>
      {!canChangeSettings(staff?.role) && (
        <p className="pr-set-forbidden" role="note">
          Only the owner and admins change settings. You can look at what is shown here.
        </p>
      )}
      <div className="pr-set-layout">
        <nav aria-label="Settings sections" className="pr-set-nav">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.slug}>
                <a
                  href={`/admin/settings/${s.slug}`}
                  aria-current={s === current ? 'page' : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(`/settings/${s.slug}`);
                  }}
                >
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="pr-set-body">
          {current ? (
            <current.Section key={current.slug} headingRef={heading} />
          ) : (
            <>
              <h2 ref={heading} tabIndex={-1}>
                No such settings
              </h2>
              <p>Pick a section from the list.</p>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
