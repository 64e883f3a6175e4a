export * from './client.js';
export { applyMigrations, pendingSchemaDiff } from './migrate.js';
