import { useDomainsStore } from '../store/domains-store';

/** Every domain, running and stopped. */
export function DomainsView() {
  const domains = useDomainsStore((s) => s.domains);
  const error = useDomainsStore((s) => s.error);
  return (
    <div className="page" data-testid="domains-view">
      <h1>Domains</h1>
      {error && <p className="error-text">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>ID</th>
            <th>Type</th>
            <th>State</th>
            <th>vCPUs</th>
            <th>Memory</th>
          </tr>
        </thead>
        <tbody>
          {domains.map((d) => (
            <tr key={d.name} data-testid={`domain-row-${d.name}`}>
              <td>{d.name}</td>
              <td>{d.domid ?? '—'}</td>
              <td>{d.type?.toUpperCase() ?? '—'}</td>
              <td>{d.state}</td>
              <td>{d.vcpus}</td>
              <td>{`${d.memoryMiB} MiB`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
