/** The mark of a domain with a saved state: a drawn floppy and "saved", the file in its tooltip. */
export function SavedBadge({ file, testId }: { file: string; testId: string }) {
  return (
    <span className="tag saved-tag" title={`Saved state in ${file}: Start restores it`} data-testid={testId}>
      <svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true">
        <path d="M2 2h9l3 3v9H2z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
        <path d="M5 2v4h5V2M5 14v-4h6v4" fill="none" stroke="currentColor" strokeWidth="1.4" />
      </svg>
      saved state
    </span>
  );
}
