import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** Calls the API the way a front end does: typed operations over HTTP with a bearer key. */
export class GraphQLClient {
  constructor(
    readonly url: string,
    readonly key?: string,
  ) {}

  withKey(key: string | undefined): GraphQLClient {
    return new GraphQLClient(this.url, key);
  }

  async request<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLResponse<T>> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.key ? { authorization: `Bearer ${this.key}` } : {}) },
      body: JSON.stringify({ query: print(document), variables }),
    });
    // The response's extensions (the query's cost) are left out: tests compare answers whole.
    const { data, errors } = (await res.json()) as { data?: T | null; errors?: GraphQLFormattedError[] };
    return { status: res.status, data, errors };
  }

  /** The data, or a thrown error listing the GraphQL errors. */
  async data<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    const res = await this.request(document, variables);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** The `extensions.code` of the first error; fails when the call succeeded. */
  async errorCode<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<string> {
    const res = await this.request(document, variables);
    const code = res.errors?.[0]?.extensions?.code;
    if (typeof code !== 'string') throw new Error(`Expected an error, got ${JSON.stringify(res)}`);
    return code;
  }
}
