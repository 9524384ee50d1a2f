// Placeholder: replaced by the real servers' setup (embedded Postgres, redis-server, Dovecot).
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
