/** Nothing shared to clean: each test file drops the database and keys it created. */
export default async function globalTeardown(): Promise<void> {}
