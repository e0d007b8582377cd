import { createHash } from 'node:crypto';
import { CHANNEL_METADATA, channelMetadata, compareTemplate, recordedTemplate, templateSha256 } from '../../../../lib/core/run/training-channel';

const TEMPLATE = 'Résumé des constatations : {context}';

test('the metadata records the SHA-256 of the UTF-8 template, the template URI-encoded (US-ASCII), and the tool', () => {
  const metadata = channelMetadata(TEMPLATE, '0.1.0');
  expect(metadata).toEqual({
    'prompt-template-sha256': createHash('sha256').update(Buffer.from(TEMPLATE, 'utf8')).digest('hex'),
    'prompt-template': 'R%C3%A9sum%C3%A9%20des%20constatations%20%3A%20%7Bcontext%7D',
    'prepared-by': 'radiology-impressions 0.1.0',
  });
  expect(Object.values(metadata).every((v) => /^[\x20-\x7e]*$/.test(v))).toBe(true);
  expect(recordedTemplate(metadata)).toEqual({ sha256: templateSha256(TEMPLATE), template: TEMPLATE });
});

test('a template too long for 2 KB of metadata is recorded by its SHA-256 only', () => {
  const long = `${'x'.repeat(2000)} {context}`;
  const metadata = channelMetadata(long, '0.1.0');
  expect(metadata).not.toHaveProperty(CHANNEL_METADATA.template);
  expect(recordedTemplate(metadata)).toEqual({ sha256: templateSha256(long), template: undefined });
});

test('comparison: same, different (with what was recorded), or not recorded; keys as S3 returns them (any case)', () => {
  const sha = templateSha256(TEMPLATE);
  expect(compareTemplate(recordedTemplate({ 'Prompt-Template-SHA256': sha }), sha)).toEqual({ status: 'same' });
  expect(compareTemplate(recordedTemplate(channelMetadata('Other {context}', '0.1.0')), sha)).toEqual({
    status: 'different',
    recorded: { sha256: templateSha256('Other {context}'), template: 'Other {context}' },
  });
  expect(compareTemplate(recordedTemplate(undefined), sha)).toEqual({ status: 'unrecorded' });
  expect(compareTemplate(recordedTemplate({ 'prompt-template-sha256': 'not-a-digest' }), sha)).toEqual({ status: 'unrecorded' });
});
