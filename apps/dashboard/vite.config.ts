import { defineConfig } from 'vite';

/**
 * Builds the admins' page to apps/dashboard/dist: static files the server serves.
 * `base: './'` makes every asset URL relative, so the page works mounted at `/` or under a prefix;
 * routes live in the URL hash, so the server needs no SPA fallback.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      // The workspace packages only declare schemas, catalogs and pure functions at module level:
      // let the bundler drop what the page does not use (the rules, plist/xmldom, most of TypeBox).
      treeshake: { moduleSideEffects: (id: string) => !/\/packages\/(protocol|diagnosis|macos)\/src\//.test(id) },
    },
  },
  server: {
    // `pnpm --filter @fleetmedic/dashboard dev` against a server running on FLEETMEDIC_API (default :8080).
    proxy: { '/api': process.env.FLEETMEDIC_API ?? 'http://127.0.0.1:8080' },
  },
});
