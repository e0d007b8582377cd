import { MT19937_WASM_BASE64 } from '../../../../lib/core/rouge/mt19937-wasm-bytes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compileWat } = require('../../../../bin/wasm-build.cjs') as { compileWat: () => Promise<Buffer> };

test('the embedded module is mt19937.wat as it stands (npm run build:wasm after editing it)', async () => {
  const compiled = await compileWat();
  expect(MT19937_WASM_BASE64).toBe(compiled.toString('base64'));
});
