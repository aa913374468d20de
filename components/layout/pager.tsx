/**
 * "Newer · Page 2 of 5 · 93 firings · Older": the pager under the paginated tables (alert history, delivery log).
 * Pages are 1-based, newest first.
 */
export function Pager(props: { page: number; pages: number; total: string; onPage: (page: number) => void }) {
  const { page, pages, total, onPage } = props;
  return (
    <div className="pager">
      <button type="button" className="secondary-button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Newer
      </button>
      <span className="muted">
        Page {page} of {pages} · {total}
      </span>
      <button type="button" className="secondary-button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Older
      </button>
    </div>
  );
}
