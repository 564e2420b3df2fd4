import { chromium } from 'playwright-core';
import { Platform } from '../scripts/platform/Platform.js';
import { E2E_PLATFORM } from './platform.js';
const platform = await Platform.start(E2E_PLATFORM.options);
await platform.waitLive(60000);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--autoplay-policy=no-user-gesture-required'] });
try {
  for (const mode of ['hls', 'webrtc']) {
    const p = await b.newPage();
    await p.goto(`${E2E_PLATFORM.urls.tableService}/?table=roulette-1&mode=${mode}&measure=1`);
    await p.waitForTimeout(8000);
    const s: any[] = await p.evaluate(() => (window as any).__viewer.samples());
    const e = s.filter((x) => x.burnedInMs !== null && x.studioTimeMs !== null).map((x) => x.studioTimeMs - x.burnedInMs);
    e.sort((a, b) => a - b);
    console.log(mode, 'n', e.length, 'min', e[0], 'p50', e[e.length >> 1], 'max', e.at(-1), 'g2g', s.filter((x) => x.burnedInMs).map((x) => x.presentedAt - x.burnedInMs).sort((a,b)=>a-b)[s.length>>1]);
    console.log(JSON.stringify(await p.evaluate(() => (window as any).__viewer.state())));
    if (mode === 'webrtc') {
      const stats: any = await (await fetch(`${E2E_PLATFORM.urls.sfu}/stats`)).json();
      const t = stats.tables.find((t: any) => t.tableId === 'roulette-1');
      const wi = t.routers.find((r: any) => r.role === 'origin').workerIndex;
      process.kill(stats.workers.find((w: any) => w.index === wi).pid, 'SIGKILL');
      for (let i = 0; i < 10; i++) {
        await p.waitForTimeout(1500);
        console.log(JSON.stringify(await p.evaluate(() => (window as any).__viewer.state())));
      }
    }
  }
} finally {
  await b.close();
  await platform.stop();
}
