import type { BridgeInfo, GuestInterface, LinkAddress, Rates, UplinkPort } from '../../shared/network';
import { addressWords, IP_SOURCE_WORDS, uplinksOf } from '../../shared/network';
import { ErrorNote } from '../components/ErrorNote';
import { formatRate } from '../lib/format';
import { navigate } from '../lib/route';
import { useNetworks } from './networks/use-networks';
import './networks/networks.css';

const KIND_WORDS: Record<BridgeInfo['kind'], string> = {
  bridged: 'Bridged: guests share the LAN of its uplink',
  isolated: 'Isolated: no uplink; guests reach each other and dom0 only',
};

const rate = (bps: number | null | undefined): string => (bps === null || bps === undefined ? '—' : formatRate(bps));

/** An uplink in words: "eth0", "bond0 (bond)", "eth1.20 (VLAN 20 on eth1)". */
function portWords(p: UplinkPort): string {
  if (p.kind === 'vlan') return `${p.name} (VLAN ${p.vlanId ?? '?'}${p.parent ? ` on ${p.parent}` : ''})`;
  if (p.kind === 'bond') return `${p.name} (bond)`;
  if (p.kind === 'other') return `${p.name} (${p.linkKind ?? 'link'})`;
  return p.name;
}

function addressList(addrs: readonly LinkAddress[]): string {
  return addrs.length === 0 ? 'none' : addrs.map((a) => `${a.address}/${a.prefixLen}${a.scope === 'link' ? ' (link)' : ''}`).join(', ');
}

/** A bridge's facts: kind, uplink, other ports, addresses, MTU, state and its own traffic. */
function BridgeFacts({ b, r }: { b: BridgeInfo; r: Rates | undefined }) {
  const uplinks = uplinksOf(b);
  const others = b.ports.filter((p) => p.kind === 'other');
  return (
    <dl className="grid-facts net-facts">
      <dt>Uplink</dt>
      <dd data-testid={`net-uplink-${b.name}`}>{uplinks.length > 0 ? uplinks.map(portWords).join(', ') : 'none'}</dd>
      {others.length > 0 && (
        <>
          <dt>Other ports</dt>
          <dd>{others.map(portWords).join(', ')}</dd>
        </>
      )}
      <dt>Addresses</dt>
      <dd className="mono" data-testid={`net-addrs-${b.name}`}>{addressList(b.addresses)}</dd>
      <dt>MTU · state</dt>
      <dd>{`${b.mtu} · ${b.state}`}</dd>
      <dt>Traffic</dt>
      <dd data-testid={`net-rate-${b.name}`}>{`${rate(r?.rxBps)} in · ${rate(r?.txBps)} out`}</dd>
    </dl>
  );
}

/** A guest interface's addresses, each with where it came from. */
function GuestIps({ g }: { g: GuestInterface }) {
  if (g.ips.length === 0) return <span className="muted">unknown</span>;
  return (
    <ul className="ip-list">
      {g.ips.map((ip) => (
        <li key={ip.address} title={addressWords(ip)}>
          <span className="mono">{ip.address}</span> <span className="muted small">{ip.source === 'xenstore' ? 'agent' : 'neighbour'}</span>
          <span className="sr-only">{`: ${IP_SOURCE_WORDS[ip.source]}`}</span>
        </li>
      ))}
    </ul>
  );
}

/** One row of a bridge's guest table; dom0 receives what the guest sends, so its rx is the guest's "out". */
function GuestRow({ g, r }: { g: GuestInterface; r: Rates | undefined }) {
  return (
    <tr data-testid={`net-vif-${g.name}`}>
      <td className="mono" title={g.emulated ? "qemu's emulated NIC (its tap), beside the PV vif" : 'The PV interface (netback)'}>
        {g.name}
        {g.emulated && <span className="tag">emulated</span>}
      </td>
      <td>
        {g.domain !== null ? (
          <button type="button" className="link-btn" onClick={() => navigate({ view: 'domain', name: g.domain!, tab: 'network' })}>
            {g.domain}
          </button>
        ) : (
          <span className="muted">{`domain ${g.domid}`}</span>
        )}
      </td>
      <td className="mono">{g.mac ?? '—'}</td>
      <td>
        <GuestIps g={g} />
      </td>
      <td>{g.state}</td>
      <td className="c-num">{rate(r?.txBps)}</td>
      <td className="c-num">{rate(r?.rxBps)}</td>
    </tr>
  );
}

function GuestTable({ b, rates }: { b: BridgeInfo; rates: ReadonlyMap<string, Rates> }) {
  if (b.guests.length === 0) return <p className="muted" data-testid={`net-no-guests-${b.name}`}>No guest interface is on this bridge now.</p>;
  return (
    <div className="table-scroll">
      <table className="table net-guests" data-testid={`net-guests-${b.name}`}>
        <thead>
          <tr>
            <th>Interface</th>
            <th>Domain</th>
            <th>MAC</th>
            <th>IP addresses</th>
            <th>State</th>
            <th className="c-num" title="What dom0 sends to the guest">To guest</th>
            <th className="c-num" title="What the guest sends">From guest</th>
          </tr>
        </thead>
        <tbody>
          {b.guests.map((g) => (
            <GuestRow key={g.name} g={g} r={rates.get(g.name)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BridgeCard({ b, rates }: { b: BridgeInfo; rates: ReadonlyMap<string, Rates> }) {
  return (
    <section className="card net-card" aria-label={`Bridge ${b.name}`} data-testid={`net-bridge-${b.name}`}>
      <div className="net-head">
        <h2 className="mono">{b.name}</h2>
        <span className={`badge net-kind ${b.kind}`} title={KIND_WORDS[b.kind]} data-testid={`net-kind-${b.name}`}>
          {b.kind}
        </span>
        <span className={`state-dot ${b.state === 'UP' ? 'st-running' : 'st-stopped'}`} aria-hidden="true" />
        <span className="muted small">{KIND_WORDS[b.kind]}</span>
      </div>
      <BridgeFacts b={b} r={rates.get(b.name)} />
      <GuestTable b={b} rates={rates} />
    </section>
  );
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "2 bridges · 7 guest interfaces". */
function countWords(bridges: readonly BridgeInfo[]): string {
  return `${plural(bridges.length, 'bridge', 'bridges')} · ${plural(bridges.reduce((n, b) => n + b.guests.length, 0), 'guest interface', 'guest interfaces')}`;
}

/** Networks: every bridge on the host, what it connects to, and the guests on it with their addresses and traffic. */
export function NetworksView() {
  const { data, rates, error } = useNetworks();
  return (
    <div className="page networks-page" data-testid="networks-view">
      <div className="page-head">
        <h1>Networks</h1>
        {data && <span className="muted" data-testid="net-count">{countWords(data.bridges)}</span>}
      </div>
      {error && <ErrorNote error={error} testId="networks-error" />}
      {!data && !error && <p className="muted">Loading…</p>}
      {data?.bridges.length === 0 && <p className="muted" data-testid="net-none">This host has no bridge: guests cannot be put on a network until one is made.</p>}
      <div className="net-list">
        {data?.bridges.map((b) => (
          <BridgeCard key={b.name} b={b} rates={rates} />
        ))}
      </div>
    </div>
  );
}
