// Title search for specs/001-search (FR-001, FR-002).
export function search(titles: string[], q: string): string[] {
  const needle = q.toLowerCase();
  return titles.filter((t) => t.toLowerCase().includes(needle)).slice(0, 50);
}
