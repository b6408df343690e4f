// What an app sees of one subscription made with `client.graphql({ query, variables })
// .subscribe(...)`: its data, its error, and Amplify's Hub events about it, in arrival order,
// each awaited with a bound.
import { isDeepStrictEqual } from 'node:util';

import { CONNECTION_STATE_CHANGE, type ConnectionState } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';

/** Amplify's CONTROL_MSG.SUBSCRIPTION_ACK: the Hub `api` event for a subscription's `start_ack`. */
const SUBSCRIPTION_ACK = 'Subscription ack';

export type Seen<T> = { kind: 'ack' } | { kind: 'data'; data: T } | { kind: 'error'; error: unknown };

interface Source<T> {
  subscribe(observer: { next(message: { data: T }): void; error(error: unknown): void }): { unsubscribe(): void };
}

export class Watched<T> {
  private readonly seen: Seen<T>[] = [];
  private wake?: () => void;
  private readonly subscription: { unsubscribe(): void };
  private readonly stopListening: () => void;

  /** Subscribes to `source`, made from `query` and `variables` (to tell its Hub events apart). */
  constructor(source: Source<T>, query: string, variables: Record<string, unknown>) {
    this.stopListening = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { query?: unknown; variables?: unknown } | undefined;
      if (payload.event === SUBSCRIPTION_ACK && data?.query === query && isDeepStrictEqual(data.variables, variables)) {
        this.push({ kind: 'ack' });
      }
    });
    this.subscription = source.subscribe({
      next: ({ data }) => this.push({ kind: 'data', data }),
      error: (error) => this.push({ kind: 'error', error }),
    });
  }

  private push(seen: Seen<T>): void {
    this.seen.push(seen);
    this.wake?.();
  }

  /** The next thing seen, within `ms`; `undefined` if nothing came. */
  async next(ms: number): Promise<Seen<T> | undefined> {
    const deadline = Date.now() + ms;
    while (this.seen.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        this.wake = r;
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
      this.wake = undefined;
    }
    return this.seen.shift();
  }

  /** The next thing seen, which must be of `kind`, within `ms`. */
  async expect<K extends Seen<T>['kind']>(kind: K, ms: number): Promise<Extract<Seen<T>, { kind: K }>> {
    const seen = await this.next(ms);
    if (seen?.kind !== kind) {
      throw new Error(`expected ${kind} within ${ms} ms, got ${seen ? JSON.stringify(seen) : 'nothing'}`);
    }
    return seen as Extract<Seen<T>, { kind: K }>;
  }

  private closed = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription.unsubscribe();
    this.stopListening();
  }
}

/** Amplify's real-time connection states (Hub `api`, CONNECTION_STATE_CHANGE), as they change. */
export class ConnectionStates {
  readonly states: ConnectionState[] = [];
  private readonly stopListening = Hub.listen('api', ({ payload }) => {
    if (payload.event === CONNECTION_STATE_CHANGE) {
      this.states.push((payload.data as { connectionState: ConnectionState }).connectionState);
    }
  });

  /** Waits (at most `ms`) until `state` has been seen after the first `from` states. */
  async reach(state: ConnectionState, from: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.states.slice(from).includes(state)) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  close(): void {
    this.stopListening();
  }
}
