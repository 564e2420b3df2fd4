import { describe, expect, it } from 'vitest';
import { ENV_EXAMPLES, staleEnvExamples } from '../envExample.js';

describe('.env.example files', () => {
  it("are what the services' schemas give (npm run env:example rewrites them)", async () => {
    expect(await staleEnvExamples()).toEqual([]);
  });

  it('list every setting each service reads', () => {
    const sfu = ENV_EXAMPLES.find((e) => e.file === 'sfu/.env.example')!.text;
    expect(sfu).toMatch(/^STREAM_TOKEN_PUBLIC_KEY=$/m);
    expect(sfu).toMatch(/^SFU_PORT=4443$/m);
    expect(sfu).toMatch(/^#SFU_WORKERS=$/m);
    const vision = ENV_EXAMPLES.find((e) => e.file === 'vision/.env.example')!.text;
    expect(vision).toMatch(/^VISION_SERVICE_SECRET=\/path\/to\//m);
  });
});
