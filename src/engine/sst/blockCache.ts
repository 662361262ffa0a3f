/**
 * A least-recently-used cache bounded by bytes, shared by the readers of one
 * scan or one browsing session: decoded data blocks and SST indexes. Entries
 * are charged what they keep alive (decoded bytes plus a per-row overhead),
 * so a cache of N bytes holds at most about N bytes.
 */

export class BlockCache {
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get<T>(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value as T;
  }

  set(key: string, value: unknown, bytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.used -= old.bytes;
      this.entries.delete(key);
    }
    if (bytes > this.maxBytes) return; // would evict everything and still not fit
    this.entries.set(key, { value, bytes });
    this.used += bytes;
    for (const [k, e] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
  }

  get bytesUsed(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}

/** Bytes a decoded block keeps alive: its decoded buffer plus ~80 bytes of objects per row. */
export function decodedBlockBytes(decodedLength: number, rows: number): number {
  return decodedLength + rows * 80 + 64;
}
