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
