import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client with a bearer key, as a browser front end would open one. */
export function openWsClient(url: string, key: string): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${key}` } });
}

/** Runs one query or mutation over the socket and returns its single result (errors included). */
export function wsRequest<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables?: V,
): Promise<{ data?: T | null; errors?: readonly GraphQLFormattedError[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T | null; errors?: readonly GraphQLFormattedError[] } = {};
    client.subscribe<T>(
      { query: print(document), variables },
      {
        next: (value) => (result = { data: value.data, errors: value.errors }),
        error: (err) => (Array.isArray(err) ? resolve({ errors: err as GraphQLFormattedError[] }) : reject(err)),
        complete: () => resolve(result),
      },
    );
  });
}

/** A subscription whose results are queued, read one at a time with a timeout. */
export function wsSubscribe<T, V extends Record<string, unknown>>(client: Client, document: TypedDocumentNode<T, V>, variables: V) {
  const queue: Array<{ data?: T | null; errors?: readonly GraphQLFormattedError[] }> = [];
  const waiters: Array<() => void> = [];
  let failure: unknown;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const unsubscribe = client.subscribe<T>(
    { query: print(document), variables },
    {
      next: (value) => {
        queue.push({ data: value.data, errors: value.errors });
        wake();
      },
      error: (err) => {
        failure = err;
        wake();
      },
      complete: wake,
    },
  );
  return {
    /** The next result, or a rejection after `timeoutMs`. */
    async next(timeoutMs = 5000): Promise<{ data?: T | null; errors?: readonly GraphQLFormattedError[] }> {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (failure !== undefined) return { errors: Array.isArray(failure) ? failure : [{ message: String(failure) }] };
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription result within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return queue.shift()!;
    },
    /** Results that arrived and were not read yet. */
    pending: () => queue.length,
    unsubscribe,
  };
}
