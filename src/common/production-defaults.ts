// Imported first by the entry point: graphql-js checks NODE_ENV once, when it loads, and its
// development-mode instanceof checks cost a sixth of the CPU of a large recordUsage batch.
process.env.NODE_ENV ??= 'production';
