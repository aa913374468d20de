/**
 * A routing table key → clients (user id → that user's sockets, screen id → its subscribers), used by
 * the gateway for notifications and scanner screens next to StreamHub (which also tracks bar positions).
 */
export class TopicFanout<Client> {
  private readonly clients = new Map<string, Set<Client>>();

  add(key: string, client: Client): void {
    let set = this.clients.get(key);
    if (!set) {
      set = new Set();
      this.clients.set(key, set);
    }
    set.add(client);
  }

  remove(key: string, client: Client): void {
    const set = this.clients.get(key);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.clients.delete(key);
  }

  get(key: string): ReadonlySet<Client> | undefined {
    return this.clients.get(key);
  }

  /** Number of (key, client) pairs. */
  size(): number {
    let count = 0;
    for (const set of this.clients.values()) count += set.size;
    return count;
  }
}
