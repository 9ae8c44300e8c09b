// What an operation gets from its command: the cluster (connected on first use), stderr for
// progress and notes, and a printer for stdout that already knows -o. Operations never write to
// the process streams or read -o themselves, so a test can hand them its own.
import type { Connection } from '../kube/connect.js';
import type { ClusterReader } from '../kube/reader.js';
import type { Printable } from '../output/print.js';

export interface OpIo {
  connect(): Promise<Connection>;
  note(message: string): void;
  print(p: Printable): void;
}

/** What the access operations get: a read-only cluster view (plain HTTPS when it can), stderr, stdout. */
export interface AccessIo {
  reader(): Promise<ClusterReader>;
  note(message: string): void;
  print(p: Printable): void;
}
