/** Previous / next for a paged list; nothing when everything fits on one page. */
export function Pager(props: {
  page: number;
  pages: number;
  onPage: (page: number) => void;
  /** What is paged, for screen readers: "Pages" by default. */
  label?: string;
}) {
  const { page, pages, onPage } = props;
  if (pages <= 1) return null;
  return (
    <nav className="pr-pager" aria-label={props.label ?? 'Pages'}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
