import { IP_SOURCE_WORDS } from '../../shared/network';
import { selectAddresses, useAddressesStore } from '../store/addresses-store';

/** A domain's IP addresses, each with where it came from in words; why there are none when there are none. */
export function GuestAddresses({ name, running }: { name: string; running: boolean }) {
  const ips = useAddressesStore(selectAddresses(name));
  const loaded = useAddressesStore((s) => s.loaded);
  if (!running) return <span className="muted">none while stopped</span>;
  if (ips.length === 0) return <span className="muted">{loaded ? 'not known: no guest agent reports one, and dom0 has not seen it on a bridge' : 'looking…'}</span>;
  return (
    <ul className="addr-list">
      {ips.map((ip) => (
        <li key={ip.address} data-testid={`ov-ip-${ip.address}`}>
          <span className="mono">{ip.address}</span> <span className="muted small">{`— ${IP_SOURCE_WORDS[ip.source]} (${ip.detail})`}</span>
        </li>
      ))}
    </ul>
  );
}
