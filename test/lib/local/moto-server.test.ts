/** moto's server: started on 127.0.0.1 and a free port, stopped by pid; a clear error when it is missing. */
import { checkMotoInstalled, MotoNotInstalledError, startMoto } from '../../../lib/local/moto-server';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('moto server', () => {
  test('a missing moto_server fails with how to install it', () => {
    expect(() => checkMotoInstalled('moto_server_that_does_not_exist')).toThrow(MotoNotInstalledError);
    expect(() => checkMotoInstalled('moto_server_that_does_not_exist')).toThrow(/pip install "moto\[server\]==5\.2\.1"/);
  });

  test('starts on 127.0.0.1, answers, and leaves no process behind after stop', async () => {
    const moto = await startMoto();
    try {
      expect(moto.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${moto.url}/moto-api/data.json`)).ok).toBe(true);
      expect(moto.pids.every(alive)).toBe(true);
    } finally {
      await moto.stop();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(moto.pids.filter(alive)).toEqual([]);
  }, 60_000);
});
