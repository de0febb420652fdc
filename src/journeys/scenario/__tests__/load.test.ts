import { describe, expect, it } from '@jest/globals';
import { formatProblem, interpolate, parseScenario, resolveVariables } from '../load.js';
import { scenarioJsonSchema } from '../schema.js';

const base = `name: s
workspaces:
  - name: ws1
users:
  - name: A
    email: a@\${domain}
    member_of: [ws1]
steps:
`;
const problems = (text: string) => {
  const r = parseScenario(text, 'x.yaml');
  if (r.ok) throw new Error('expected problems');
  return r.problems.map(formatProblem);
};

describe('parseScenario', () => {
  it('accepts a valid YAML scenario, and the same as JSON', () => {
    const r = parseScenario(
      `${base}  - connect: { workspace: ws1, user: A }\n    save: { c: connection_id }\n  - signin: { workspace: ws1, user: A }\n`,
      'ok.yaml',
    );
    expect(r.ok).toBe(true);
    const json = JSON.stringify(
      {
        name: 's',
        workspaces: [{ name: 'ws1' }],
        users: [{ name: 'A', email: 'a@x', member_of: ['ws1'] }],
        steps: [{ connect: { workspace: 'ws1', user: 'A' } }],
      },
      null,
      2,
    );
    expect(parseScenario(json, 'ok.json').ok).toBe(true);
  });

  it('an unknown step names file:line:col, the path and the closest step', () => {
    const p = problems(`${base}  - connect: { workspace: ws1, user: A }\n  - conect: { workspace: ws1, user: A }\n`);
    expect(p[0]).toMatch(/^x\.yaml:10:5: steps\[1\]\.conect: Failed to read the step: "conect" is not a step/);
    expect(p[0]).toContain('did you mean connect');
  });

  it('a wrong type names the line, the path and the value', () => {
    const p = problems(`${base}  - wait: { ms: "soon" }\n`);
    expect(p[0]).toMatch(
      /^x\.yaml:9:17: steps\[0\]\.wait\.ms: Failed to read steps\[0\]\.wait\.ms: the value is "soon"\. Expected a value of type number/,
    );
  });

  it('unknown workspace and user names, and a user outside the workspace, are refused', () => {
    const p = problems(
      `name: s\nworkspaces:\n  - name: ws1\n  - name: ws2\nusers:\n  - { name: A, email: a@x, member_of: [ws1] }\nsteps:\n  - connect: { workspace: ws3, user: A }\n  - connect: { workspace: ws1, user: B }\n  - connect: { workspace: ws2, user: A }\n`,
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^x\.yaml:8:27: steps\[0\]\.connect\.workspace: Failed to find workspace "ws3".*did you mean "ws1"/,
      ),
      expect.stringMatching(/^x\.yaml:9:38: steps\[1\]\.connect\.user: Failed to find user "B"/),
      expect.stringMatching(
        /^x\.yaml:10:38: steps\[2\]\.connect\.user: Failed to use user "A" in workspace "ws2": the user is not a member/,
      ),
    ]);
  });

  it('a variable used before a step saves it is refused; after is fine', () => {
    const p = problems(
      `${base}  - partner_delete_connection: { workspace: ws1, connection_id: "\${conn}" }\n  - connect: { workspace: ws1, user: A }\n    save: { conn: connection_id }\n  - test_connection: { workspace: ws1, connection_id: "\${conn}" }\n`,
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^x\.yaml:9:65: steps\[0\]\.partner_delete_connection\.connection_id: Failed to fill \$\{conn\}/,
    );
  });

  it('expect and save on a step that sends nothing to the partner are refused, with the line', () => {
    const p = problems(
      `${base}  - set_demo: { workspace: ws1, demo: true }\n    expect: { status: 200 }\n  - delete_connection: { workspace: ws1, notify_partner: false }\n    save: { gone: $status }\n  - wait: { ms: 1 }\n  - delete_connection: { workspace: ws1 }\n    expect: { status: 200 }\n`,
    );
    expect(p.map((x) => x.replace(/ sends nothing.*/, ''))).toEqual([
      expect.stringMatching(/^x\.yaml:\d+:\d+: steps\[0\]\.expect: Failed to use expect on this step: set_demo$/),
      expect.stringMatching(
        /^x\.yaml:\d+:\d+: steps\[1\]\.save: Failed to use save on this step: delete_connection with notify_partner: false$/,
      ),
    ]);
  });

  it('demo_flow on a sign-in is refused: a demo sign-in is an ordinary sign-in (CONTRACT §7)', () => {
    const p = problems(
      `${base}  - connect: { workspace: ws1, user: A }\n    expect: { demo_flow: true }\n  - signin: { workspace: ws1, user: A }\n    expect: { demo_flow: true }\n`,
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^x\.yaml:12:26: steps\[1\]\.expect\.demo_flow: Failed to use demo_flow on a signin step: the demo flow applies to new connections only/,
      ),
    ]);
  });

  it('cycles between variables are refused', () => {
    const p = problems(
      `name: s\nvariables:\n  a: "\${b}"\n  b: "x-\${a}"\nworkspaces: [{ name: ws1 }]\nusers: [{ name: A, email: "a@\${a}", member_of: [ws1] }]\nsteps: [{ connect: { workspace: ws1, user: A } }]\n`,
    );
    expect(p[0]).toMatch(/^x\.yaml:3:3: variables\.a: Failed to resolve variables: a → b → a is a cycle/);
  });

  it('two actions in one step, or none, are refused', () => {
    expect(
      problems(
        `${base}  - connect: { workspace: ws1, user: A }\n    signin: { workspace: ws1, user: A }\n  - name: nothing\n`,
      ),
    ).toEqual([
      expect.stringContaining('steps[0]: Failed to read step 1: it has 2 actions (connect, signin)'),
      expect.stringContaining('steps[1]: Failed to read step 2: it has no action'),
    ]);
  });

  it('a YAML syntax error gives its position', () => {
    expect(problems('name: [unclosed\n')[0]).toMatch(/^x\.yaml:\d+:\d+: \(file\): Failed to parse the file/);
  });

  it('an enum outside the contract lists the allowed values', () => {
    const p = problems(
      `${base}  - connect: { workspace: ws1, user: A }\n    expect: { redirect_value: CREATE_TRIAL }\n`,
    );
    expect(p[0]).toContain('steps[0].expect.redirect_value');
  });

  it('config conditions (when), recommendations (prefer) and wrong_credentials are checked like the rest', () => {
    const ok = parseScenario(
      `${base}  - connect: { workspace: ws1, user: A, wrong_credentials: true }\n    expect: { status: 401, prefer: { user_status: [existing, new] } }\n  - wait: { ms: 0 }\n    when: { trial_type: [user, unset], new_user_action: auto_add, require_manual_signup: false }\n`,
      'ok.yaml',
    );
    expect(ok.ok).toBe(true);
    const p = problems(
      `${base}  - connect: { workspace: ws1, user: A, wrong_credentials: "yes" }\n    when: { trial_type: weekly, color: red }\n    expect: { prefer: { user_status: maybe } }\n`,
    );
    expect(p.join('\n')).toContain(
      'steps[0].connect.wrong_credentials: Failed to read steps[0].connect.wrong_credentials: the value is "yes". Expected a value of type boolean',
    );
    expect(p.join('\n')).toContain('steps[0].when.trial_type');
    expect(p.join('\n')).toMatch(/steps\[0\]\.when\.color: .*"color" is not a known field/);
    expect(p.join('\n')).toContain('steps[0].expect.prefer.user_status');
  });
});

describe('variables', () => {
  it('resolves declared variables through each other and the built-ins', () => {
    const vars = resolveVariables({ a: 'x-${b}', b: '${run}-y' }, { run: 'r1', domain: 'd', customer_domain: 'c' });
    expect(vars.get('a')).toBe('x-r1-y');
    expect(interpolate('u@${domain}', vars)).toBe('u@d');
  });
});

describe('scenarioJsonSchema', () => {
  it('describes the step actions', () => {
    const schema = JSON.stringify(scenarioJsonSchema());
    for (const a of ['connect', 'signin', 'partner_delete_connection', 'set_demo', 'wait'])
      expect(schema).toContain(`"${a}"`);
  });
});
