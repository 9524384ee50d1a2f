import { BlockList, isIP } from 'node:net';

/**
 * MAIL_INBOUND_URL: `lmtp://host:port` or `smtp://host:port`, where the gateway listens for mail an
 * MTA pushes, with options in the query:
 * - `tls_cert=/path&tls_key=/path`: PEM files offered by STARTTLS (both or neither);
 * - `allow=127.0.0.1,10.0.0.0/8,::1`: the client addresses (or CIDR ranges) that may connect.
 *
 * The listener takes mail without SMTP AUTH, as an MTA's local delivery agent does: whoever may
 * connect may open tickets in anyone's name. So the default allow-list is the loopback alone (the MTA
 * on the same host); a relay elsewhere must be named, and is authenticated by its address.
 */
export interface InboundSpec {
  protocol: 'lmtp' | 'smtp';
  host: string;
  port: number;
  /** `lmtp://host:port`: names quarantined and filtered mail of this intake, and its metrics. */
  key: string;
  tls: { certFile: string; keyFile: string } | null;
  /** The client address ranges allowed, as written (for the log and the README's examples). */
  allow: string[];
}

export class InboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InboundUrlError';
  }
}

const OPTIONS = new Set(['tls_cert', 'tls_key', 'allow']);
const LOOPBACK = ['127.0.0.0/8', '::1'];
/** LMTP has no port of its own (RFC 2033 §5 forbids 25); 24 is the one Dovecot and Cyrus use by convention. */
const DEFAULT_PORTS = { lmtp: 24, smtp: 25 } as const;

export function parseInboundUrl(value: string): InboundSpec {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InboundUrlError('not a URL');
  }
  const protocol = url.protocol === 'lmtp:' ? 'lmtp' : url.protocol === 'smtp:' ? 'smtp' : null;
  if (protocol === null) throw new InboundUrlError(`expected lmtp:// or smtp://, not ${url.protocol}//`);
  if (url.hostname === '') throw new InboundUrlError('no host to listen on');
  if (url.username !== '' || url.password !== '') throw new InboundUrlError('takes no user or password (see allow=)');
  for (const name of url.searchParams.keys()) {
    if (!OPTIONS.has(name)) throw new InboundUrlError(`unknown option ${name} (known: ${[...OPTIONS].join(', ')})`);
  }
  const port = url.port === '' ? DEFAULT_PORTS[protocol] : Number(url.port);
  // URL keeps an IPv6 host in brackets; the listener wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const certFile = url.searchParams.get('tls_cert');
  const keyFile = url.searchParams.get('tls_key');
  if ((certFile === null) !== (keyFile === null)) throw new InboundUrlError('tls_cert and tls_key go together');
  const allowed = url.searchParams.get('allow');
  const allow = allowed === null ? LOOPBACK : allowed.split(/[\s,]+/).filter(Boolean);
  if (allow.length === 0) throw new InboundUrlError('allow= names no address');
  allowList(allow);
  return {
    protocol,
    host,
    port,
    key: `${protocol}://${url.hostname}:${port}`,
    tls: certFile !== null && keyFile !== null ? { certFile, keyFile } : null,
    allow,
  };
}

/** The allow-list as node's BlockList (exact addresses and CIDR ranges, IPv4 and IPv6). */
export function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new InboundUrlError(`allow: ${entry} is not an IP address or a CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new InboundUrlError(`allow: ${entry} has a bad prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/** MAIL_INBOUND_DOMAINS: domains and addresses, lower-case; `@` marks an address. */
export function parseInboundDomains(value: string): string[] {
  const entries = value
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean);
  for (const entry of entries) {
    if (!/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry)) throw new InboundUrlError(`${entry} is neither a domain nor an address`);
  }
  return [...new Set(entries)];
}

/** MAIL_INBOUND_MAX_SIZE: bytes, or a number with k, KB, M or MB (binary multiples, as SIZE counts octets). */
export function parseByteSize(value: string): number {
  const match = /^(\d+)\s*(k|kb|m|mb)?$/i.exec(value.trim());
  if (!match) throw new InboundUrlError('expected a size in bytes, or with KB or MB (e.g. 25MB)');
  const unit = (match[2] ?? '').toLowerCase();
  const size = Number(match[1]) * (unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1);
  if (size < 1024) throw new InboundUrlError('expected at least 1KB');
  return size;
}
