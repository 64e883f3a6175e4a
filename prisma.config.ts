// Prisma CLI configuration (Prisma 7). The server never relies on the CLI at run time: it
// applies prisma/migrations itself (apps/server/src/db/migrate.ts).
export default {
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
};
