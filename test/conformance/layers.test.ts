/**
 * The layers of BRIEF.md hold (scripts/check-layers.mjs, also `npm run lint:layers`): every
 * import of src/ goes to its own layer or one before it, and no modules import each other.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error: a plain .mjs script without types
import { checkLayers } from '../../scripts/check-layers.mjs';

const check = checkLayers as (root?: string) => string[];
const tmp: string[] = [];
afterAll(async () => void (await Promise.all(tmp.map((d) => rm(d, { recursive: true, force: true })))));

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'pcsim-layers-'));
  tmp.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('layers', () => {
  it('src/ follows them', () => {
    expect(check()).toEqual([]);
  });

  it('refuses an import against the layers, a dynamic one too, and a cycle', async () => {
    const root = await tree({
      'src/contract/a.ts': "import type { B } from '../partner-client/b.js';\nexport type A = B;\n",
      'src/partner-client/b.ts': "export type B = 1;\nexport const later = () => import('../cli/c.js');\n",
      'src/cli/c.ts': "export * from './d.js';\n",
      'src/cli/d.ts': "export * from './c.js';\n",
      'src/journeys/ok.ts': "import type { A } from '../contract/a.js';\nexport type Ok = A;\n",
    });
    const problems = check(root);
    expect(problems).toEqual([
      expect.stringMatching(
        /^src\/contract\/a\.ts: imports src\/partner-client\/b\.ts \(partner-client\), which comes after its own layer \(contract\)/,
      ),
      expect.stringMatching(/^src\/partner-client\/b\.ts: imports src\/cli\/c\.ts \(cli\)/),
      expect.stringMatching(
        /^src\/databricks\/model\.ts -> src\/workspace\/types\.ts: listed in ALLOWED but no longer imported/,
      ),
      expect.stringMatching(/^src\/cli\/(c|d)\.ts → src\/cli\/(c|d)\.ts → src\/cli\/(c|d)\.ts: a cycle/),
    ]);
  });
});
