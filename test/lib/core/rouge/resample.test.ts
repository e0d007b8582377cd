import { wasmAvailable } from '../../../../lib/core/rouge/mt19937-wasm';
import { resamplingTests } from './resample-cases';

test('the WebAssembly path serves these tests (Node has WebAssembly SIMD)', () => {
  expect(wasmAvailable(2000)).toBe(true);
});

resamplingTests('WebAssembly path');
