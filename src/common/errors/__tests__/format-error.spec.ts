import { GraphQLError } from 'graphql';
import pino from 'pino';
import { CommonError, CommonErrorReason } from '../common-error';
import { createErrorFormatter } from '../format-error';

describe('error formatting', () => {
  const format = createErrorFormatter(pino({ level: 'silent' }));
  const wrap = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['x'] });

  it('gives domain errors their stable code and reason', () => {
    const error = new CommonError(CommonErrorReason.INVALID_ID, 'bad id');
    expect(format({ message: 'bad id', path: ['x'] }, wrap(error))).toEqual({
      message: 'bad id',
      path: ['x'],
      extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_ID' },
    });
  });

  it('hides anything unexpected behind INTERNAL_SERVER_ERROR', () => {
    const error = new Error('relation "secret_table" does not exist');
    expect(format({ message: error.message, path: ['x'], extensions: { stacktrace: ['at x'] } }, wrap(error))).toEqual({
      message: 'Internal server error',
      path: ['x'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('passes GraphQL validation errors without a stack trace', () => {
    const error = new GraphQLError('Cannot query field "x"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format({ message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at y'] } }, error)).toEqual({
      message: error.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
