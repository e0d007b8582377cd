import { ModelResolutionError } from '../../../../lib/core/jumpstart/errors';
import { compareSemver, parseManifest, parseSemver, selectManifestEntry } from '../../../../lib/core/jumpstart/manifest';
import { fixtureText } from '../../../helpers/jumpstart';

const entries = parseManifest(JSON.parse(fixtureText('models_manifest.sample.json')));
const XL = 'huggingface-text2text-flan-t5-xl';

describe('version selection', () => {
  test('* takes the numerically highest version (2.2.15, not 2.2.9)', () => {
    expect(selectManifestEntry(entries, XL, '*', 'us-east-1').version).toBe('2.2.15');
  });

  test('* with an old SDK (2.148.0) sees only 1.x, as the published notebook did', () => {
    expect(selectManifestEntry(entries, XL, '*', 'us-east-1', '2.148.0').version).toBe('1.2.2');
  });

  test('N.* takes the highest of that major', () => {
    expect(selectManifestEntry(entries, XL, '1.*', 'us-east-1').version).toBe('1.2.2');
    expect(selectManifestEntry(entries, XL, '2.*', 'us-east-1').version).toBe('2.2.15');
  });

  test('an exact version is matched exactly and returns its spec key', () => {
    const entry = selectManifestEntry(entries, XL, '2.2.3', 'us-east-1');
    expect(entry.version).toBe('2.2.3');
    expect(entry.spec_key).toBe('community_models/huggingface-text2text-flan-t5-xl/specs_v2.2.3.json');
  });

  test('an unknown version fails, naming model, version, region and the available versions', () => {
    expect(() => selectManifestEntry(entries, XL, '3.*', 'eu-west-1')).toThrow(
      /^JumpStart model huggingface-text2text-flan-t5-xl version 3\.\* in region eu-west-1: version: no manifest entry matches \(available: 1\.0\.0, .*2\.2\.15\)$/,
    );
    expect(() => selectManifestEntry(entries, XL, '2.2.99', 'eu-west-1')).toThrow(ModelResolutionError);
  });

  test('versions needing a newer SDK are not offered, and the message says so', () => {
    expect(() => selectManifestEntry(entries, XL, '2.*', 'eu-west-1', '2.148.0')).toThrow(/entries needing SDK > 2\.148\.0 ignored/);
  });

  test('an unknown model fails on model_id', () => {
    expect(() => selectManifestEntry(entries, 'no-such-model', '*', 'eu-west-1')).toThrow(
      'JumpStart model no-such-model version * in region eu-west-1: model_id: no such model in models_manifest.json',
    );
  });

  test('a malformed request fails on version', () => {
    expect(() => selectManifestEntry(entries, XL, 'latest', 'eu-west-1')).toThrow(/version latest .*: version: expected an exact version/);
  });

  test('parseManifest rejects a non-list and skips incomplete entries', () => {
    expect(() => parseManifest({})).toThrow(/not a JSON list/);
    expect(parseManifest([{ model_id: 'a', version: '1.0.0' }, null])).toEqual([]);
  });

  test('semver compares numerically', () => {
    expect(compareSemver(parseSemver('2.2.15')!, parseSemver('2.2.9')!)).toBeGreaterThan(0);
    expect(parseSemver('2.2')).toBeUndefined();
  });
});
