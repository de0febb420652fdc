/**
 * Indexes follow records edited in place (lookup.ts followEdits, fed by the tracker) instead of
 * being dropped: after any sequence of changes — a user joining or leaving a workspace, an email
 * changed, users added, an element replaced, several edits at once, a change that throws — every
 * look-up gives what a scan of the state gives, in state order.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { userByEmail, userById, usersOfWorkspace } from '../../databricks/indexes.js';
import { emptyState, type State, type User } from '../../databricks/model.js';
import { track } from '../tracker.js';

const WORKSPACES = ['w0', 'w1', 'w2', 'w3', 'w4'];

const user = (i: number, workspaces: string[]): User => ({
  id: `u${i}`,
  email: `u${i}@a.databricks-test.com`,
  first_name: '',
  last_name: '',
  admin: false,
  workspaces,
  created_at: '',
});

const op = fc.oneof(
  fc.record({ kind: fc.constant('join'), u: fc.nat(), ws: fc.constantFrom(...WORKSPACES) }),
  fc.record({ kind: fc.constant('leave'), u: fc.nat(), ws: fc.constantFrom(...WORKSPACES) }),
  fc.record({ kind: fc.constant('email'), u: fc.nat(), to: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('add'), ws: fc.constantFrom(...WORKSPACES) }),
  fc.record({ kind: fc.constant('replace'), u: fc.nat() }),
  fc.record({ kind: fc.constant('both'), u: fc.nat(), v: fc.nat(), ws: fc.constantFrom(...WORKSPACES) }),
  fc.record({ kind: fc.constant('fail'), u: fc.nat(), ws: fc.constantFrom(...WORKSPACES) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(s: State, o: Op, next: () => number): void {
  const at = (n: number) => s.users[n % s.users.length]!;
  switch (o.kind) {
    case 'join':
      if (!at(o.u).workspaces.includes(o.ws)) at(o.u).workspaces.push(o.ws);
      break;
    case 'leave': {
      const ws = at(o.u).workspaces;
      const i = ws.indexOf(o.ws);
      if (i >= 0) ws.splice(i, 1);
      break;
    }
    case 'email':
      at(o.u).email = `e${o.to}@a.databricks-test.com`;
      break;
    case 'add':
      s.users.push(user(next(), [o.ws]));
      break;
    case 'replace':
      s.users[o.u % s.users.length] = { ...at(o.u), workspaces: [...at(o.u).workspaces] };
      break;
    case 'both':
      if (!at(o.u).workspaces.includes(o.ws)) at(o.u).workspaces.push(o.ws);
      at(o.v).email = `b${o.v}@a.databricks-test.com`;
      break;
    case 'fail':
      at(o.u).workspaces.push(o.ws);
      throw new Error('the change fails: undone');
  }
}

function expectLikeScans(s: State): void {
  for (const u of s.users) {
    expect(userById(s, u.id)).toBe(s.users.find((x) => x.id === u.id));
    expect(userByEmail(s, u.email)).toBe(s.users.find((x) => x.email.toLowerCase() === u.email.toLowerCase()));
  }
  for (const ws of WORKSPACES) {
    const got = usersOfWorkspace(s, ws);
    const want = s.users.filter((u) => u.workspaces.includes(ws));
    expect(got.length).toBe(want.length);
    got.forEach((u, i) => expect(u).toBe(want[i]));
  }
}

describe('indexes and records edited in place', () => {
  it('answer like scans after any sequence of changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray(WORKSPACES), { minLength: 1, maxLength: 8 }),
        fc.array(op, { maxLength: 25 }),
        (initial, ops) => {
          const s: State = { ...emptyState(), users: initial.map((ws, i) => user(i, [...ws])) };
          let n = initial.length;
          expectLikeScans(s); // builds the indexes
          for (const o of ops) {
            try {
              track(s, (live) => apply(live, o, () => n++));
            } catch (err) {
              expect((err as Error).message).toContain('undone');
            }
            expectLikeScans(s);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
