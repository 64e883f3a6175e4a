/**
 * The key-encryption key of apps built by tests and benchmarks (32 bytes; buildApp's
 * `keyEncryptionKey`). Public on purpose: it protects only throw-away test databases.
 */
export const TEST_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 0x4b);
