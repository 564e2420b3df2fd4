/**
 * The top frames of a V8 CPU profile (`.cpuprofile`, as `node --cpu-prof` or the inspector's
 * Profiler.stop write it): self time per function and per package, idle included, so a bench
 * can say where its service thread went without a flame-graph viewer.
 */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  name: string;
  ms: number;
  share: number;
}

/** `node_modules/<pkg>`, a `node:` module, the repository folder (`table-service/src`), or the V8 pseudo-frame. */
function areaOf(url: string, functionName: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return url;
  const repo = /\/(protocol|server-kit|sfu|table-service|vision|studio|player-web|load-tests)\/(src|dist)\//.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url === '' ? `(${functionName.replace(/[()]/g, '') || 'native'})` : url;
}

export function summarizeCpuProfile(
  profile: CpuProfile,
  top = 15,
): { totalMs: number; byFunction: FrameTime[]; byArea: FrameTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').slice(-2).join('/');
    const name = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + dt);
    const a = areaOf(url, functionName);
    area.set(a, (area.get(a) ?? 0) + dt);
  });
  const rank = (m: Map<string, number>): FrameTime[] =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        share: total > 0 ? Math.round((us / total) * 1000) / 10 : 0,
      }));
  return { totalMs: Math.round(total / 1000), byFunction: rank(fn), byArea: rank(area) };
}
