import { ZipNameIndex } from '../../../../lib/cli/mimic-zip/zip-name-index';

/** Finds `name` stored as `bytes` in the middle of a larger buffer, as in a central directory. */
function find(index: ZipNameIndex, bytes: Buffer, utf8 = true): string | undefined {
  const directory = Buffer.concat([Buffer.from('header'), bytes, Buffer.from('extra')]);
  return index.find(directory, 6, 6 + bytes.length, utf8);
}

test('finds wanted ASCII names by their bytes and nothing else', () => {
  const index = new ZipNameIndex(['files/p10/p10000001/s1.txt', 'a.txt']);
  expect(find(index, Buffer.from('files/p10/p10000001/s1.txt'))).toBe('files/p10/p10000001/s1.txt');
  expect(find(index, Buffer.from('a.txt'), false)).toBe('a.txt');
  expect(find(index, Buffer.from('files/p10/p10000001/s2.txt'))).toBeUndefined();
  expect(find(index, Buffer.from('other/a.txt'))).toBeUndefined();
  expect(find(index, Buffer.from(''))).toBeUndefined();
  expect(find(new ZipNameIndex([]), Buffer.from('a.txt'))).toBeUndefined();
});

test('names whose hashes collide are told apart', () => {
  // These two names have the same 32-bit FNV-1a hash.
  const index = new ZipNameIndex(['files/p33zx.txt']);
  expect(find(index, Buffer.from('files/pepad.txt'))).toBeUndefined();
  expect(find(index, Buffer.from('files/p33zx.txt'))).toBe('files/p33zx.txt');
  const both = new ZipNameIndex(['files/p33zx.txt', 'files/pepad.txt']);
  expect(find(both, Buffer.from('files/pepad.txt'))).toBe('files/pepad.txt');
  expect(find(both, Buffer.from('files/p33zx.txt'))).toBe('files/p33zx.txt');
});

test('non-ASCII names match in UTF-8 with the flag, and in Latin-1 without it', () => {
  const index = new ZipNameIndex(['café.txt', 'π.txt']);
  expect(find(index, Buffer.from('café.txt', 'utf8'), true)).toBe('café.txt');
  expect(find(index, Buffer.from('café.txt', 'latin1'), false)).toBe('café.txt');
  // The UTF-8 bytes read as Latin-1 are another name ("cafÃ©.txt").
  expect(find(index, Buffer.from('café.txt', 'utf8'), false)).toBeUndefined();
  expect(find(index, Buffer.from('π.txt', 'utf8'), true)).toBe('π.txt');
});

test('a name listed twice is found under its first index', () => {
  const index = new ZipNameIndex(['a.txt', 'b.txt', 'a.txt', 'ü.txt', 'ü.txt']);
  expect(Array.from(index.firstIndex)).toEqual([0, 1, 0, 3, 3]);
  expect(index.findIndex(Buffer.from('a.txt'), 0, 5, false)).toBe(0);
  const u = Buffer.from('ü.txt', 'utf8');
  expect(index.findIndex(u, 0, u.length, true)).toBe(3);
});
