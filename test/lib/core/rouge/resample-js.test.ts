import { wasmAvailable } from '../../../../lib/core/rouge/mt19937-wasm';
import { resamplingTests } from './resample-cases';

// Where WebAssembly SIMD is missing the JavaScript loops serve: hold them to the same tests.
jest.mock('../../../../lib/core/rouge/mt19937-wasm', () => ({
  wasmAvailable: () => false,
  wasmMeans: () => {
    throw new Error('WebAssembly path used');
  },
  wasmIndices: () => {
    throw new Error('WebAssembly path used');
  },
  wasmSkip: () => {
    throw new Error('WebAssembly path used');
  },
}));

test('the WebAssembly path is off here', () => {
  expect(wasmAvailable(2000)).toBe(false);
});

resamplingTests('JavaScript path');
