import { reportEntryName } from '../../../../lib/core/mimic/mimic-record';

test('entry names take the first two code points of the subject id, as Python slices', () => {
  expect(reportEntryName('50000001', '10000032')).toBe('files/p10/p10000032/s50000001.txt');
  expect(reportEntryName('5', '\ud83d\ude001x')).toBe('files/p\ud83d\ude001/p\ud83d\ude001x/s5.txt');
  expect(reportEntryName('5', '1\ud83d\ude00x')).toBe('files/p1\ud83d\ude00/p1\ud83d\ude00x/s5.txt');
  expect(reportEntryName('5', '12\ud83d\ude00')).toBe('files/p12/p12\ud83d\ude00/s5.txt');
  expect(reportEntryName('5', '7')).toBe('files/p7/p7/s5.txt');
});
