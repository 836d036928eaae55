import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { noteRequestId } from '../errors/format-error';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * GraphQL over HTTP as clients expect it: a subscription sent over HTTP is the caller's mistake (400) rather than a
 * resolver failing, and the errors of each request carry its id to the log line of any that turns out to be ours.
 */
export function graphqlHttpPlugin<TContext extends BaseContext>(logger: Logger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const requestId = request.http?.headers.get(REQUEST_ID_HEADER);
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'Subscriptions are not served over HTTP: open a websocket to /graphql with graphql-ws (the graphql-transport-ws protocol)',
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
        async didEncounterErrors({ errors }) {
          noteRequestId(errors, requestId);
        },
      };
    },
    // Apollo answers 500 and replaces the error with a generic one: this is where its cause is still known.
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      logger.error(
        { err: error, requestId: requestContext.request.http?.headers.get(REQUEST_ID_HEADER) },
        'unexpected error processing a GraphQL request',
      );
    },
  };
}
