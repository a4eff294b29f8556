/**
 * The API bench's floor: a bare Fastify app on the same machine and database doing only what no
 * registration can avoid. POST /floor/activities is one pg `INSERT INTO activities` (the contact
 * trigger fires, as for every activity); POST /floor/activities/bulk is one multi-row INSERT of
 * the request's items. No auth, no schema, no checks, no answer beyond the ids: what the real
 * routes cost above this is what they add.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'pg';

type Item = { assignment_id: number; activity_type: string; occurred_at: string; registered_by: string };

export async function startFloorApi(databaseUrl: string, opts: { poolSize: number }): Promise<{ app: FastifyInstance; address: string; close: () => Promise<void> }> {
  // The same pool size as the real API's Prisma client, so both have as many connections.
  const pool = new Pool({ connectionString: databaseUrl, max: opts.poolSize });
  const app = Fastify({ logger: false });
  app.post<{ Body: Item & { registration_path: string } }>('/floor/activities', async (req, reply) => {
    const b = req.body;
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by)
       VALUES ($1, $2::activity_type, $3::timestamptz, $4::registration_path, $5) RETURNING id`,
      [b.assignment_id, b.activity_type, b.occurred_at, b.registration_path, b.registered_by],
    );
    return reply.code(201).send({ id: rows[0]!.id });
  });
  app.post<{ Body: { items: Item[] } }>('/floor/activities/bulk', async (req, reply) => {
    const items = req.body.items;
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by)
       SELECT a, t, o, 'bulk', r FROM unnest($1::int[], $2::activity_type[], $3::timestamptz[], $4::text[]) AS u(a, t, o, r)
       RETURNING id`,
      [items.map((i) => i.assignment_id), items.map((i) => i.activity_type), items.map((i) => i.occurred_at), items.map((i) => i.registered_by)],
    );
    return reply.code(200).send({ ids: rows.map((r) => r.id) });
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    address,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}
