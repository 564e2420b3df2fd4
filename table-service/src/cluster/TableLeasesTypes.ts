import type { RoundDto } from '../rounds/RoundTypes.js';

/**
 * standby: another node (or nobody) holds the lease. recovering: this node holds it and is
 * finishing what the previous owner left (`rounds.recover`). owned: this node acts for the table.
 */
export type TableLeaseState = 'standby' | 'recovering' | 'owned';

export type TableLeasesEvents = {
  acquired: [{ tableId: string; nodeId: string }];
  /** Recovery finished; the table is now acted for by this node. */
  recovered: [{ tableId: string; nodeId: string; rounds: RoundDto[] }];
  /** Renewal failed or the lease expired before it could be renewed: this node stopped acting. */
  lost: [{ tableId: string; nodeId: string; reason: 'taken' | 'expired' }];
  released: [{ tableId: string; nodeId: string }];
  /** The owner settled a confirmed round once its late-acceptance deadline passed. */
  autosettled: [{ tableId: string; roundId: string }];
  closed: [];
};

export interface TableLeaseDto {
  tableId: string;
  state: TableLeaseState;
  /** Holder according to the lease store (null: free). */
  ownerNodeId: string | null;
}

export interface ClusterDto {
  nodeId: string;
  store: 'redis' | 'local';
  leaseMs: number;
  /** Tables this node acts for. */
  owned: string[];
  tables: TableLeaseDto[];
}
