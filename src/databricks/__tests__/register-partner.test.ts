import { describe, expect, it } from '@jest/globals';
import { partnerConfig } from './fixtures.js';
import { MemoryStore } from '../../store/memory.js';
import { Databricks } from '../databricks.js';

const config = (extra: Record<string, unknown> = {}) => partnerConfig({ name: 'Acme Loader', ...extra });

describe('registering a partner again (every start does)', () => {
  it('writes nothing when the config and source are the same, and replaces the record when either changed', async () => {
    const store = new MemoryStore();
    let writes = 0;
    const update = store.update.bind(store);
    store.update = (change) => {
      writes++;
      return update(change);
    };
    const dbx = new Databricks({ store, clientFor: () => null as never });
    const first = await dbx.registerPartner(config(), 'partner.json');
    expect(writes).toBe(1);
    const again = await dbx.registerPartner(config(), 'partner.json');
    expect(again).toBe(store.read().partners[0]);
    expect(again.registered_at).toBe(first.registered_at);
    expect(writes).toBe(1);
    await dbx.registerPartner(config({ base_url: 'http://localhost:9090' }), 'partner.json');
    expect(writes).toBe(2);
    expect(store.read().partners).toHaveLength(1);
    expect(store.read().partners[0]!.config.base_url).toBe('http://localhost:9090');
    await dbx.registerPartner(config({ base_url: 'http://localhost:9090' }), 'other.json');
    expect(writes).toBe(3);
    expect(store.read().partners[0]!.source).toBe('other.json');
  });
});
