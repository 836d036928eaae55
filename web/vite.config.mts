import { defineConfig } from 'vite';

/** `vite build web` writes web/dist, which the server serves at `/`; `vite web` proxies the API of `npm start`. */
export default defineConfig({
  build: { target: 'es2022' },
  server: {
    proxy: {
      '/graphql': { target: 'http://localhost:4000', ws: true },
      '/invoices': 'http://localhost:4000',
    },
  },
});
